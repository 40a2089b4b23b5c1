using LibGit2Sharp;
using Octavios.Deploy.Validation;
using Octavios.Deploy.Validation.Checks;

namespace Octavios.Build.Tests.Validation;

/// <summary>git.dirty and git.branch on real repositories made for the test.</summary>
public class GitChecksTests
{
    private string _dir = "";

    [SetUp]
    public void Repo()
    {
        _dir = Directory.CreateTempSubdirectory("octavios-git-").FullName;
        Repository.Init(_dir);
        using var repository = new Repository(_dir);
        File.WriteAllText(Path.Combine(_dir, "a.txt"), "a");
        LibGit2Sharp.Commands.Stage(repository, "*");
        var me = new Signature("t", "t@t.invalid", DateTimeOffset.UtcNow);
        repository.Commit("first", me, me);
        LibGit2Sharp.Commands.Checkout(repository, repository.Branches["main"] ?? repository.CreateBranch("main"));
    }

    [TearDown]
    public void Remove()
    {
        foreach (var file in Directory.GetFiles(_dir, "*", SearchOption.AllDirectories)) File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(_dir, true);
    }

    private Finding[] Warnings() => GitChecks.Run(_dir, "main").Where(f => f.Severity == Severity.Warning).ToArray();

    [Test]
    public void QuietOnACleanReleaseBranch()
    {
        Assert.That(Warnings(), Is.Empty);
        Assert.That(GitChecks.Run(_dir, "main").Single().Message, Does.StartWith("branch main at "));
    }

    [Test]
    public void DirtyFiresForModifiedAndUntrackedFiles()
    {
        File.WriteAllText(Path.Combine(_dir, "a.txt"), "changed");
        File.WriteAllText(Path.Combine(_dir, "new.txt"), "new");
        var dirty = Warnings().Single(f => f.Check == "git.dirty");
        Assert.That(dirty.Message, Does.StartWith("2 uncommitted"));
    }

    [Test]
    public void BranchFiresOffTheReleaseBranch()
    {
        using (var repository = new Repository(_dir)) LibGit2Sharp.Commands.Checkout(repository, repository.CreateBranch("feature"));
        Assert.That(Warnings().Single().Message, Does.Contain("deploying from feature, not the release branch main"));
    }

    [Test]
    public void AServersPlainEnvFileMustBeIgnoredNeverTrackedAndPrivate()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "envs"));
        var env = Path.Combine(_dir, "envs", ".env.prod");
        File.WriteAllText(env, "SECRET_KEY=x\n");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string[] Found() => GitChecks.EnvFile(env, "prod").Select(f => $"{f.Severity} {f.Check}: {f.Message}").ToArray();

        Assert.That(Found(), Is.EqualTo(new[]
        {
            "Error env.tracked: envs/.env.prod holds the prod environment's secrets and .gitignore does not ignore it: the next git add -A commits them. Add it to .gitignore",
        }));
        File.WriteAllText(Path.Combine(_dir, ".gitignore"), "envs/.env*\n");
        Assert.That(Found(), Is.Empty, "ignored and private");

        using (var repository = new Repository(_dir))
        {
            repository.Index.Add("envs/.env.prod");
            repository.Index.Write();
        }

        Assert.That(Found().Single(), Does.StartWith("Error env.tracked: envs/.env.prod holds the prod environment's secrets and git tracks it")
            .And.Contain("git rm --cached 'envs/.env.prod'"), "tracked, ignored or not");

        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.That(Found().First(), Is.EqualTo($"Warning env.permissions: {env} (the prod environment's secrets) is readable by other users of this machine: chmod 600 '{env}'"));
        Assert.That(GitChecks.EnvFile(Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid()), "prod"), Is.Empty);
    }
}
