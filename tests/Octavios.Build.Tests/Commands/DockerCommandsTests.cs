using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Images;
using Octavios.Deploy.Versioning;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Commands;

public class DockerCommandsTests
{
    private static string[] Args(Command command) => command.Args.Select(a => a.Value).ToArray();

    [Test]
    public void BuildCarriesTagsFileBuildArgsLabelsAndContext()
    {
        var spec = new BuildSpec("/app/backend", "/app/backend/Dockerfile", ["r/o/backend:0.2.3"],
            new Dictionary<string, CommandArg> { ["BASE_IMAGE"] = "busybox:1.36" },
            new Dictionary<string, string> { ["org.opencontainers.image.version"] = "0.2.3" }, NoCache: true);
        Assert.That(Args(DockerCommands.Build(spec)), Is.EqualTo(new[]
        {
            "build", "--tag", "r/o/backend:0.2.3", "--file", "/app/backend/Dockerfile",
            "--build-arg", "BASE_IMAGE=busybox:1.36", "--label", "org.opencontainers.image.version=0.2.3", "--no-cache", "/app/backend",
        }));
    }

    [Test]
    public void ASecretBuildArgIsMaskedInDisplay()
    {
        var spec = new BuildSpec(".", null, ["x:1.0.0"], new Dictionary<string, CommandArg> { ["NPM_TOKEN"] = CommandArg.Secret("npm_abcdef") },
            new Dictionary<string, string>(), false);
        Assert.That(DockerCommands.Build(spec).Display(), Does.Contain("--build-arg ***").And.Not.Contain("npm_abcdef"));
    }

    [Test]
    public void LoginSendsThePasswordThroughStandardInput()
    {
        var login = DockerCommands.Login("127.0.0.1:5000", "ci", "pw-123456");
        Assert.That(Args(login), Is.EqualTo(new[] { "login", "127.0.0.1:5000", "--username", "ci", "--password-stdin" }));
        Assert.That(login.StandardInput!.Value, Is.EqualTo("pw-123456"));
        Assert.That(login.StandardInput.IsSecret, Is.True);
    }

    [Test]
    public void PushAndTag()
    {
        Assert.That(Args(DockerCommands.Push("r/o/web:0.2.3")), Is.EqualTo(new[] { "push", "r/o/web:0.2.3" }));
        Assert.That(Args(DockerCommands.Tag("a:1", "a:latest")), Is.EqualTo(new[] { "tag", "a:1", "a:latest" }));
    }

    [Test]
    public void ImagePlanTagsTheReleaseTheMinuteAndLatest()
    {
        var builtAt = new DateTimeOffset(2026, 11, 28, 23, 59, 30, TimeSpan.FromHours(-3));
        Assert.That(ImagePlan.TagsFor(ReleaseVersion.Parse("0.2.3"), builtAt, latest: true),
            Is.EqualTo(new[] { "0.2.3", "0.2.3-20261129-0259", "latest" }));
        Assert.That(ImagePlan.TagsFor(ReleaseVersion.Parse("1.0.0-rc.1"), builtAt, latest: false),
            Is.EqualTo(new[] { "1.0.0-rc.1", "1.0.0-rc.1-20261129-0259" }));
    }

    [Test]
    public void ImagePlanOfTheExampleBackend()
    {
        var config = ConfigLoader.Load(SuiteRun.ExampleConfig);
        config.Registry = "127.0.0.1:5000";
        var plan = ImagePlan.Create(config, SelectedService.Of(config, ["backend"])[0], ReleaseVersion.Parse("0.2.3"), "abc123", DateTimeOffset.UnixEpoch, null, false);
        Assert.That(plan.Reference, Is.EqualTo("127.0.0.1:5000/octavios/backend:0.2.3"));
        Assert.That(plan.AllReferences.Count(), Is.EqualTo(2), "latest moves at deploy (tags.latestAt: deploy), not with the release tags");
        config.Tags.LatestAt = "push";
        Assert.That(ImagePlan.Create(config, SelectedService.Of(config, ["backend"])[0], ReleaseVersion.Parse("0.2.3"), "abc123", DateTimeOffset.UnixEpoch, null, false).AllReferences,
            Does.Contain("127.0.0.1:5000/octavios/backend:latest"));
        Assert.That(plan.Build.Labels["org.opencontainers.image.revision"], Is.EqualTo("abc123"));
        Assert.That(plan.Build.Labels["org.opencontainers.image.created"], Is.EqualTo("1970-01-01T00:00:00Z"));
        Assert.That(plan.Build.Context, Does.EndWith("examples/octavios/apps/backend"));
    }

    [Test]
    public void AnAttachedExecOnAServerGoesThroughOpenSshWithTheRunsKeyKnownHostsAndBastion()
    {
        var settings = new Octavios.Deploy.Remote.SshSettings("/keys/deploy", "/keys/known_hosts", TimeSpan.FromSeconds(4), false,
            ConfigFile: "/nonexistent/config", Jump: "jump@bastion:2200", Home: "/home/me");
        var exec = ContainerCommands.ExecAttached("0123456789abcdef", "psql -U app");
        var ssh = TerminalCommands.OverSsh(new Octavios.Deploy.Remote.ServerAddress("deploy", "app.example.com", 2222), settings, "/srv/my app", exec);

        Assert.That(ssh.Program, Is.EqualTo("ssh"));
        Assert.That(Args(ssh), Is.EqualTo(new[]
        {
            "-t", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/keys/known_hosts", "-o", "LogLevel=ERROR",
            "-i", "/keys/deploy", "-o", "IdentitiesOnly=yes", "-J", "jump@bastion:2200", "-p", "2222", "deploy@app.example.com",
            "--", "cd '/srv/my app' && docker exec --interactive --tty 0123456789abcdef sh -c 'psql -U app'",
        }));
    }
}
