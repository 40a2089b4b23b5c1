using Octavios.Deploy.Output;
using Octavios.Build.Tests.Support;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// The deploy sequence and its rollback, broken at every command in turn (fails, connection lost, timeout, SIGINT), on
/// the real engine with the example app; after each run and after the next run's reconciliation the invariant must
/// hold: backend runs exactly one version, healthy, the one versions.env names; its rollback target is the version
/// it ran before its last successful change; no lock, no journal, no temporary file; every audit line whole.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class CrashAtEveryStepTests
{
    /// <summary>Cases run in lanes at once, each on its own copy of the app (its own Compose project) on the same engine.</summary>
    private const int Lanes = 2;

    private readonly List<Lane> _lanes = [];

    /// <summary>One copy of the app the sweep breaks runs on, with the containers the backend's deploy must not touch.</summary>
    private sealed record Lane(ExampleApp App, SuiteConfig Config, IReadOnlyDictionary<string, (string Id, string Image, string Health)> Neighbours);

    [OneTimeSetUp]
    public void DeployAllOn022AndBuildTwoReleases()
    {
        for (var i = 0; i < Lanes; i++)
        {
            var app = new ExampleApp("localhost:5999", push: false);
            // Quick health and no Compose probe keep each of the ~90 runs short; the probe is read-only, before any change.
            app.Configure(ExampleApp.StableSetting, "stableSeconds: 0\n  drainSeconds: 0\n  lockStaleSeconds: 2");
            app.Configure("  project: ", "  version: v1\n  project: ");
            // The backend checks itself every second; its neighbours, which the sweep never deploys, every 5 s (each check costs the engine an exec).
            var overlay = Path.Combine(app.Directory, "infra", "docker-compose.production.yml");
            var text = File.ReadAllText(overlay).Replace("interval: 2s", "interval: 5s");
            var backend = text.IndexOf("interval: 5s", StringComparison.Ordinal);
            File.WriteAllText(overlay, text[..backend] + "interval: 1s" + text[(backend + "interval: 5s".Length)..].Replace("start_period: 2s", "start_period: 1s"));
            app.Commit("quick healthchecks");
            Run(app, "--target=Deploy", "--services=all", "--version=0.2.2");
            if (i == 0)
            {
                // The images are the engine's: the other lanes deploy the same tags.
                File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "www", "index.html"), "0.2.3\n");
                app.Commit("backend 0.2.3");
                Run(app, "--target=Tag", "--services=backend", "--version=0.2.3");
                File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"echo crashing; exit 3\"]\n");
                app.Commit("backend 0.2.4 crashes at start");
                Run(app, "--target=Tag", "--services=backend", "--version=0.2.4");
            }

            _lanes.Add(new Lane(app, ConfigLoader.Load(app.ConfigPath), app.Containers()));
        }
    }

    [OneTimeTearDown]
    public void RemoveApps() => _lanes.ForEach(l => l.App.Dispose());

    private static void Run(ExampleApp app, params string[] args)
    {
        var run = Shell.BuildScript(null, [$"--config={app.ConfigPath}", .. args]);
        Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);
    }

    [Test]
    public async Task EveryInterruptionOfADeployOrItsRollbackEndsInTheInvariant()
    {
        var rigs = _lanes.Select(l => new ComposeHostRig(l)).ToList();
        var deploySequence = await CrashSweep.RecordAsync(rigs[0], "0.2.3");
        var rollbackSequence = await CrashSweep.RecordAsync(rigs[0], "0.2.4", mayFail: true);
        var points = CrashSweep.DeployAndUndoPoints(deploySequence, rollbackSequence);
        var cases = CrashSweep.Cases(points, everyFault: true);
        var violations = await CrashSweep.RunAsync(rigs, cases);

        TestContext.Out.WriteLine($"compose host: {points.Count} commands x {Enum.GetValues<Fault>().Length} faults = {cases.Count} injection points " +
                                  $"({points.Count(p => p.Version == "0.2.3")} in the deploy sequence, {points.Count(p => p.Version == "0.2.4")} in its rollback), in {Lanes} lanes");
        Assert.That(points.Count, Is.GreaterThanOrEqualTo(12), string.Join(", ", deploySequence));
        Assert.That(violations, Is.Empty);
    }

    /// <summary>One lane's app on this machine's engine, deployed by the pipeline with the Compose applier.</summary>
    private sealed class ComposeHostRig(Lane lane) : PipelineSweepRig(lane.Config, "local",
        [new DeployTarget("local", new LocalCommandRunner(lane.Config.BaseDirectory, new NullLog(), new SecretMasker()), true)], 0, EnvFile)
    {
        private const string EnvFile = "envs/.env.local";

        protected override IReadOnlyList<string> ProjectDirectories => [lane.App.Directory];

        public override IReadOnlyDictionary<string, string?> RollbackTargets() =>
            new Dictionary<string, string?> { ["local"] = CrashSweep.Records(lane.App.Directory).Previous.GetValueOrDefault("BACKEND_VERSION") };

        public override string? Invariant(IReadOnlyDictionary<string, string?> before, string attempted) =>
            CrashSweep.HostInvariant(lane.App.Directory, () => new Dictionary<string, (string, string, string)>(lane.App.Containers()), lane.Neighbours, before["local"], attempted);

        protected override IChangeApplier Applier(ICommandRunner runner) => new ComposeApplier(Config, Files(), runner, new NullLog(), EnvFile, pull: false);

        protected override string ContainerIds(int target) => CrashSweep.ContainerIds(Shell.Docker, lane.App.Project);
    }
}
