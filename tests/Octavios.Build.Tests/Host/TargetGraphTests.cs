using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Host;

/// <summary>The real task graph, run by Cake's engine in dry-run mode against the example app.</summary>
public class TargetGraphTests
{
    private static string[] Executed(params string[] args)
    {
        var (code, output) = SuiteRun.Run([.. args, "--dryrun", $"--config={SuiteRun.ExampleConfig}"]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), output);
        return SuiteRun.Report(output).Select(r => r.Task).ToArray();
    }

    [Test]
    public void DeployRunsDetectBuildTagPushValidateDeployInOrder() =>
        Assert.That(Executed("--target=Deploy", "--services=backend", "--version=0.2.3"),
            Is.EqualTo(new[] { "Detect", "Validate", "Build", "Tag", "Push", "Deploy" }));

    [Test]
    public void VerifyAddsVerifyAfterDeploy() =>
        Assert.That(Executed("--target=Verify", "--services=backend", "--version=0.2.3"),
            Is.EqualTo(new[] { "Detect", "Validate", "Build", "Tag", "Push", "Deploy", "Verify" }));

    [Test]
    public void VerifyExclusiveRunsVerifyAlone() =>
        Assert.That(Executed("--target=Verify", "--exclusive", "--services=backend"), Is.EqualTo(new[] { "Verify" }));

    [Test]
    public void ValidateNeverBuildsOrPushes() =>
        Assert.That(Executed("--target=Validate", "--services=backend"), Is.EqualTo(new[] { "Detect", "Validate" }));

    [Test]
    public void PushStopsAtPushSoALaterDeployJobCanFollow() =>
        Assert.That(Executed("--target=Push", "--services=web", "--version=0.2.3", "--env=prod"),
            Is.EqualTo(new[] { "Detect", "Build", "Tag", "Push" }));

    [Test]
    public void ADeployDryRunShowsTheStartFirstSequenceTheRealRunTakes()
    {
        var (code, output) = SuiteRun.Run("--dryrun", "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.4", $"--config={SuiteRun.ExampleConfig}");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), output);
        var sequence = new[]
        {
            "--no-recreate --no-start --scale backend=2 backend", "docker start '<new backend container 1>'",
            "would wait up to 90s for backend's new container(s) to be healthy", "docker stop --time 10 '<running backend container>'",
            "docker rm --force '<running backend container>'",
        };
        Assert.That(sequence.Select(step => output.IndexOf(step, StringComparison.Ordinal)), Is.Ordered.And.All.GreaterThanOrEqualTo(0), output);
        Assert.That(output, Does.Not.Contain("--force-recreate backend"), "backend goes start-first, never by recreating it");
    }

    [Test]
    public void ASwarmDeployDryRunSucceedsAndShowsTheStackDeployAndItsGate()
    {
        Environment.SetEnvironmentVariable("SWARM_MANAGER", "root@192.0.2.10");
        Environment.SetEnvironmentVariable("DEPLOY_PROJECT_DIR", "/srv/octavios");
        try
        {
            var (code, output) = SuiteRun.Run("--dryrun", "--target=Deploy", "--exclusive", "--env=swarm", "--services=backend", "--version=0.2.4", $"--config={SuiteRun.ExampleConfig}");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), output);
            Assert.That(output, Does.Contain("exec docker stack deploy").And.Contain("would wait up to 270s for Swarm's rolling update of octavios_backend"));
            Assert.That(output, Does.Not.Contain("journal.env records it"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SWARM_MANAGER", null);
            Environment.SetEnvironmentVariable("DEPLOY_PROJECT_DIR", null);
        }
    }

    [Test]
    public void DefaultValidatesOnly() => Assert.That(Executed(), Is.EqualTo(new[] { "Detect", "Validate", "Default" }));

    [Test]
    public void RollbackStandsAlone() =>
        Assert.That(Executed("--target=Rollback", "--services=backend", "--version=0.2.2"), Is.EqualTo(new[] { "Rollback" }));

    [Test]
    public void TheCatalogPlansWhatTheEngineRuns()
    {
        var catalog = new TaskCatalog([typeof(BuildContext).Assembly], typeof(BuildContext), BuildArguments.All);
        Assert.That(catalog.Plan(["Deploy"], false).Select(t => t.Name),
            Is.EqualTo(Executed("--target=Deploy", "--services=backend", "--version=0.2.3")));
    }

    [Test]
    public void TreeShowsTheGraph()
    {
        var (code, output) = SuiteRun.Run("--tree", "--target=Verify", $"--config={SuiteRun.ExampleConfig}");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("Verify").And.Contain("└─Deploy").And.Contain("Push").And.Contain("Validate"));
    }

    [Test]
    public void HelpListsEveryTargetAndArgumentWithItsEnvironmentVariable()
    {
        var (code, output) = SuiteRun.Run("--help");
        Assert.That(code, Is.Zero);
        foreach (var target in new[] { "Detect", "Validate", "Build", "Tag", "Push", "Deploy", "Verify", "Rollback", "Default" })
            Assert.That(output, Does.Contain($"  {target} "), target);
        foreach (var argument in BuildArguments.All)
            Assert.That(output, Does.Contain("--" + argument.Name).And.Contain(argument.EnvironmentVariable), argument.Name);
    }
}
