using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>Detect → Build → Tag → Push through ./build.sh on a real engine and a registry with htpasswd auth.</summary>
[EndToEnd]
[NonParallelizable]
public class PushTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    [Test]
    public void PushesExactlyTheChangedServiceOnceAndNeverTwice()
    {
        using var rig = new ProdRig(registryAuth: true);
        File.WriteAllText(Path.Combine(rig.App.Directory, "apps", "web", "www", "index.html"), "<h1>web 0.2.3</h1>\n");
        rig.App.Commit("web: new front page");

        var first = rig.Run(null, "--target=Push", "--services=changed", "--since=v0.2.2", "--version=0.2.3");
        Assert.That(first.ExitCode, Is.Zero, Output(first));
        Assert.That(first.StandardOutput.TrimEnd().Split('\n')[^1], Is.EqualTo("web"), "Detect's list is the last line");
        var tags = rig.Registry.Tags("octavios/web");
        Assert.That(tags, Has.Count.EqualTo(2).And.Contain("0.2.3").And.Not.Contain("latest"), "latest moves once a deploy is healthy, not at push");
        Assert.That(tags.Single(t => t.StartsWith("0.2.3-", StringComparison.Ordinal)), Does.Match(@"^0\.2\.3-\d{8}-\d{4}$"));
        foreach (var other in new[] { "backend", "file-manager", "bank-advisor", "aletheia", "proxy" })
            Assert.That(rig.Registry.Tags($"octavios/{other}"), Is.Empty, other);
        Assert.That(first.StandardOutput, Does.Match(@"pushed .*web:0\.2\.3 sha256:[0-9a-f]{64}"));

        var second = rig.Run(null, "--target=Push", "--services=changed", "--since=v0.2.2", "--version=0.2.3");
        Assert.That(second.ExitCode, Is.Zero, Output(second));
        Assert.That(second.StandardOutput, Does.Contain("web 0.2.3 is already on").And.Contain("not built or pushed again"));
        Assert.That(second.StandardOutput, Does.Contain("Nothing to push"));
        Assert.That(second.StandardOutput, Does.Not.Contain("Building web"));
        Assert.That(rig.Registry.Tags("octavios/web"), Is.EqualTo(tags));
    }

    [Test]
    public void AReleaseTagFromAnotherCommitStopsTheRun()
    {
        using var rig = new ProdRig();
        rig.Push("0.2.3", "web");
        File.WriteAllText(Path.Combine(rig.App.Directory, "apps", "web", "www", "index.html"), "<h1>different</h1>\n");
        var commit = rig.App.Commit("web: change after the release");
        var run = rig.Run(null, "--target=Push", "--services=web", "--version=0.2.3");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(run.StandardError, Does.Contain("web:0.2.3 is already on").And.Contain("a release tag never moves").And.Contain(commit[..12]).And.Contain("sha256:"));
    }

    [Test]
    public void WithoutCredentialsItStopsBeforeBuildingWithTheLoginHint()
    {
        using var rig = new ProdRig(registryAuth: true);
        var run = rig.Run(rig.Environment(withCredentials: false), "--target=Push", "--services=backend", "--version=0.2.3");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(run.StandardError, Does.Contain($"docker login {rig.Registry.Address}"));
        Assert.That(run.StandardOutput, Does.Not.Contain("Building backend"));
    }

    [Test]
    public void APushThroughAProxyFailingTwiceWith503SucceedsOnRetry()
    {
        using var rig = new ProdRig();
        using var proxy = new CountingProxy(int.Parse(rig.Registry.Address.Split(':')[1]), failEngineRequests: 2);
        var run = rig.Run(null, $"--registry=127.0.0.1:{proxy.Port}", "--target=Push", "--services=backend", "--version=0.2.3");
        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(proxy.Failed, Is.EqualTo(2));
        Assert.That(rig.Registry.Tags("octavios/backend"), Does.Contain("0.2.3"));
    }
}
