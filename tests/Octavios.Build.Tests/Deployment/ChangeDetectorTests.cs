using LibGit2Sharp;
using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Detection;

namespace Octavios.Build.Tests.Deployment;

/// <summary>Detect on real repositories made for each test; the configuration sits in a sub-folder as in a monorepo.</summary>
public class ChangeDetectorTests
{
    private string _root = "";
    private SuiteConfig _config = null!;

    [SetUp]
    public void Repo()
    {
        _root = Directory.CreateTempSubdirectory("octavios-detect-").FullName;
        Repository.Init(_root);
        _config = new SuiteConfig
        {
            BaseDirectory = Path.Combine(_root, "app"),
            SharedPaths = ["infra/**"],
            Services = new()
            {
                ["backend"] = new ServiceConfig { Paths = ["apps/backend/**"] },
                ["web"] = new ServiceConfig { Paths = ["apps/web/**"] },
            },
        };
        Write("app/apps/backend/main.py", "print(1)");
        Write("app/apps/web/index.html", "<h1>");
        Write("app/infra/compose.yml", "services: {}");
        Write("README.md", "outside the app");
        Commit("v0.2.2", tag: true);
    }

    [TearDown]
    public void Remove()
    {
        foreach (var file in Directory.GetFiles(_root, "*", SearchOption.AllDirectories)) File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(_root, true);
    }

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_root, path))!);
        File.WriteAllText(Path.Combine(_root, path), text);
    }

    private void Commit(string message, bool tag = false)
    {
        using var repository = new Repository(_root);
        LibGit2Sharp.Commands.Stage(repository, "*");
        var me = new Signature("t", "t@t.invalid", DateTimeOffset.UtcNow);
        var commit = repository.Commit(message, me, me);
        if (tag) repository.ApplyTag(message, commit.Sha);
    }

    private string[] Services(string since = "v0.2.2", bool uncommitted = false) =>
        ChangeDetector.Detect(_config, since, uncommitted).Services.Select(s => s.Service).ToArray();

    [Test]
    public void OnlyTheChangedServiceSinceATag()
    {
        Write("app/apps/web/index.html", "<h2>");
        Commit("web");
        Assert.That(Services(), Is.EqualTo(new[] { "web" }));
    }

    [Test]
    public void ASharedPathMeansEveryService()
    {
        Write("app/infra/compose.yml", "services: {a: {}}");
        Commit("infra");
        Assert.That(Services(), Is.EqualTo(new[] { "backend", "web" }));
    }

    [Test]
    public void ARenameCountsForBothPaths()
    {
        File.Move(Path.Combine(_root, "app/apps/backend/main.py"), Path.Combine(_root, "app/apps/web/main.py"));
        using (var repository = new Repository(_root))
        {
            LibGit2Sharp.Commands.Stage(repository, "*");
        }

        Commit("move");
        var detection = ChangeDetector.Detect(_config, "v0.2.2", false);
        Assert.That(detection.Services.Select(s => s.Service), Is.EqualTo(new[] { "backend", "web" }));
        Assert.That(detection.ChangedPaths, Is.EqualTo(new[] { "apps/backend/main.py", "apps/web/main.py" }));
    }

    [Test]
    public void ADeletionCounts()
    {
        File.Delete(Path.Combine(_root, "app/apps/backend/main.py"));
        using (var repository = new Repository(_root)) LibGit2Sharp.Commands.Stage(repository, "*");
        Commit("delete");
        Assert.That(Services(), Is.EqualTo(new[] { "backend" }));
    }

    [Test]
    public void ChangesOutsideTheApplicationFolderAreIgnored()
    {
        Write("README.md", "changed");
        Commit("docs");
        Assert.That(Services(), Is.Empty);
    }

    [Test]
    public void UncommittedChangesCountOnlyWhenAsked()
    {
        Write("app/apps/backend/new.py", "draft");
        Assert.That(Services(), Is.Empty);
        Assert.That(Services(uncommitted: true), Is.EqualTo(new[] { "backend" }));
    }

    [Test]
    public void DefaultIsThePreviousCommit()
    {
        Write("app/apps/web/a.css", "a");
        Commit("first");
        Write("app/apps/backend/b.py", "b");
        Commit("second");
        Assert.That(Services(ChangeDetector.DefaultSince), Is.EqualTo(new[] { "backend" }));
    }

    [Test]
    public void AMissingReferenceSaysWhatToFetch() =>
        Assert.That(Assert.Throws<DeployInputException>(() => Services("v9.9.9"))!.Message, Does.Contain("'v9.9.9'").And.Contain("git fetch --tags"));

    [Test]
    public void ShallowHistorySaysToUnshallow()
    {
        Write("app/apps/web/a.css", "a");
        Commit("second");
        var clone = Directory.CreateTempSubdirectory("octavios-shallow-").FullName;
        var git = Support.Shell.Run("git", ["clone", "--quiet", "--depth", "1", $"file://{_root}", clone]);
        Assert.That(git.ExitCode, Is.Zero, git.StandardError);
        var config = new SuiteConfig { BaseDirectory = Path.Combine(clone, "app"), Services = _config.Services };
        var error = Assert.Throws<DeployInputException>(() => ChangeDetector.Detect(config, ChangeDetector.DefaultSince, false));
        Assert.That(error!.Message, Does.Contain("shallow").And.Contain("git fetch --unshallow"));
        Support.Shell.Run("rm", ["-rf", clone]);
    }
}
