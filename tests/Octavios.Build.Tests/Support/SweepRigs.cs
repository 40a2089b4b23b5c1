using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Output;
using Octavios.Deploy.Records;
using Octavios.Deploy.Remote;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// What every rig of the crash sweep shares: deploys of backend through <see cref="DeployPipeline"/> as a run makes
/// them (fenced, with the kind's applier), the swept target's runner wrapped; the next run's repair on every target.
/// </summary>
public abstract class PipelineSweepRig(SuiteConfig config, string environmentName, IReadOnlyList<DeployTarget> targets, int sweptTarget, string envFile) : ISweepRig
{
    protected SuiteConfig Config { get; } = config;

    protected EnvironmentConfig Environment => Config.Environments[environmentName];

    /// <summary>Each target's project directory, as this machine sees it.</summary>
    protected abstract IReadOnlyList<string> ProjectDirectories { get; }

    public abstract IReadOnlyDictionary<string, string?> RollbackTargets();

    public abstract string? Invariant(IReadOnlyDictionary<string, string?> before, string attempted);

    /// <summary>The kind's applier on a target, for the next run's repair.</summary>
    protected abstract IChangeApplier Applier(ICommandRunner runner);

    /// <summary>What the kind needs of the env file for a change (a Swarm's stack variables); null for a Compose host, which reads it itself.</summary>
    protected virtual Task<LoadedEnvFile?> EnvFileAsync(ICommandRunner runner) => Task.FromResult<LoadedEnvFile?>(null);

    public async Task ResetAsync()
    {
        if (ProjectDirectories.Any(d => CrashSweep.Records(d).Current.GetValueOrDefault("BACKEND_VERSION") != "0.2.2"))
            await DeployAsync("0.2.2", runner => runner, new NullLog(), CancellationToken.None);
    }

    public async Task DeployAsync(string version, Func<ICommandRunner, ICommandRunner> wrap, IDeployLog log, CancellationToken cancellation)
    {
        var hosts = targets.Select((t, i) => i == sweptTarget ? t with { Runner = wrap(t.Runner) } : t).ToList();
        var pipeline = new DeployPipeline(Config, Files(), Environment, hosts, Local(), log, envFile, usesRegistry: Environment.Push);
        var request = new DeployRequest("deploy", environmentName, SelectedService.Of(Config, ["backend"]),
            new Dictionary<string, string> { ["BACKEND_VERSION"] = version }, new Dictionary<string, string>(), null,
            LockOwner.Create("tests", "sweep", $"deploy backend {version}"), TimeSpan.Zero, false, "unlock");
        var result = await pipeline.RunAsync(request, await EnvFileAsync(hosts[0].Runner), cancellation);
        if (result.Hosts.FirstOrDefault(h => h.Failed) is { } failed) throw new DeployFailedException($"failed on {failed.Host}: {failed.Result}");
    }

    /// <summary>The ID of every container of the app on a target, one per line.</summary>
    protected abstract string ContainerIds(int target);

    public string Snapshot() =>
        ContainerIds(sweptTarget) + string.Concat(new[] { VersionsFile.Current, VersionsFile.Previous, AuditEntry.File, DeployJournal.File }
            .Select(f => Path.Combine(ProjectDirectories[sweptTarget], f)).Select(f => $"\n{f}:\n{(File.Exists(f) ? File.ReadAllText(f) : "(none)")}"));

    private readonly LockOwner _colleague = LockOwner.Create("colleague", "desk", "deploy web");

    public async Task TakeOverAsync()
    {
        var swept = targets[sweptTarget].Runner;
        if (LockState.Parse((await swept.RunAsync(LockCommands.Inspect())).StandardOutput) is { Token: { } holder }) await swept.RunAsync(LockCommands.Break(holder));
        await swept.RunAsync(LockCommands.Take(_colleague.Token, _colleague.ToJson()));
    }

    public async Task EndTakeoverAsync() => await targets[sweptTarget].Runner.RunAsync(LockCommands.Release(_colleague.Token));

    public bool LeftSomething() =>
        ProjectDirectories.Any(d => File.Exists(Path.Combine(d, DeployJournal.File)) || CrashSweep.LockHeld(d));

    public async Task ReconcileAsync()
    {
        var owner = LockOwner.Create("tests", "sweep", "reconcile");
        foreach (var runner in targets.Select(t => t.Runner))
        {
            await using (await HeldLock.TakeAsync(runner, new NullLog(), Config.Deploy, owner, TimeSpan.FromSeconds(15), "unlock", CancellationToken.None))
            {
                await new DeployTransaction(Config, Applier(runner), runner, Local(), new NullLog(), envFile).ReconcileAsync(owner, environmentName);
            }
        }
    }

    protected LocalCommandRunner Local() => new(Config.BaseDirectory, new NullLog(), new SecretMasker());

    protected ComposeFileSet Files() => new(Config);
}

/// <summary>The fleet and Swarm rigs' part: the app's configuration with quick gates, one SSH runner per lab host kept for the whole sweep.</summary>
public abstract class LabSweepRig(ExampleApp app, FleetLab lab, string environmentName, IReadOnlyList<LabHost> targets, int sweptHost)
    : PipelineSweepRig(QuickGates(ConfigLoader.Load(app.ConfigPath)), environmentName, targets.Select(h => Target(lab, h)).ToList(), sweptHost, EnvFile)
{
    protected ExampleApp App { get; } = app;

    protected IReadOnlyList<LabHost> Targets { get; } = targets;

    protected override IReadOnlyList<string> ProjectDirectories => Targets.Select(h => h.ProjectDirectory).ToList();

    protected const string EnvFile = "envs/.env.prod";

    private static DeployTarget Target(FleetLab lab, LabHost host)
    {
        var address = ServerAddress.Parse($"root@{host.Address}");
        var ssh = SshSettings.FromEnvironment(name => lab.Environment().GetValueOrDefault(name) ?? System.Environment.GetEnvironmentVariable(name), false);
        return new DeployTarget(address.ToString(), new SshCommandRunner(address, FleetLab.ProjectDirectory, ssh, new NullLog(), new SecretMasker()), false, address);
    }

    private static SuiteConfig QuickGates(SuiteConfig config)
    {
        config.Deploy.StableSeconds = 0;
        config.Deploy.DrainSeconds = 0;
        config.Deploy.LockStaleSeconds = 2;
        return config;
    }
}

/// <summary>
/// The example's prod environment on three lab hosts, one batch each: the sweep breaks the commands sent to h2, after
/// h1 was updated, so every undo of h2 also sends h1 back. After each case and the next run's repair, every host holds
/// <see cref="CrashSweep.HostInvariant"/>, and all three run one version.
/// </summary>
public sealed class FleetSweepRig : LabSweepRig
{
    private readonly IReadOnlyList<IReadOnlyDictionary<string, (string Id, string Image, string Health)>> _neighbours;

    public FleetSweepRig(ExampleApp app, FleetLab lab) : base(app, lab, "prod", lab.Hosts, sweptHost: 1)
    {
        ResetAsync().GetAwaiter().GetResult();
        _neighbours = lab.Hosts.Select(h => h.Containers(app.Project)).ToList();
    }

    protected override IChangeApplier Applier(ICommandRunner runner) => new ComposeApplier(Config, Files(), runner, new NullLog(), EnvFile, pull: false);

    protected override string ContainerIds(int target) => CrashSweep.ContainerIds(Targets[target].Docker, App.Project);

    public override IReadOnlyDictionary<string, string?> RollbackTargets() =>
        Targets.ToDictionary(h => h.Name, h => CrashSweep.Records(h.ProjectDirectory).Previous.GetValueOrDefault("BACKEND_VERSION"));

    public override string? Invariant(IReadOnlyDictionary<string, string?> before, string attempted)
    {
        for (var i = 0; i < Targets.Count; i++)
        {
            var host = Targets[i];
            if (CrashSweep.HostInvariant(host.ProjectDirectory, () => host.Containers(App.Project), _neighbours[i], before[host.Name], attempted) is { } problem)
                return $"[{host.Name}] {problem}";
        }

        var versions = Targets.Select(h => CrashSweep.Records(h.ProjectDirectory).Current.GetValueOrDefault("BACKEND_VERSION")).Distinct().ToList();
        return versions.Count > 1 ? $"the fleet is mixed: {string.Join(", ", versions)}" : null;
    }
}

/// <summary>
/// The example's swarm environment through the lab's manager, backend's three replicas updated together: after each
/// case and the next run's repair, every replica runs the version versions.env names, and the records hold.
/// </summary>
public sealed class SwarmSweepRig : LabSweepRig
{
    public SwarmSweepRig(ExampleApp app, FleetLab lab) : base(app, lab, "swarm", [lab.Hosts[0]], sweptHost: 0)
    {
    }

    protected override IChangeApplier Applier(ICommandRunner runner) =>
        new SwarmApplier(Config, Files(), Environment, runner, new NullLog(), EnvFileAsync(runner).GetAwaiter().GetResult(), withRegistryAuth: false);

    /// <summary>Read by every deploy, as a run reads it: a point of the sweep like any other (a cached copy made it one only while the cache was empty).</summary>
    protected override async Task<LoadedEnvFile?> EnvFileAsync(ICommandRunner runner) =>
        await EnvFileSource.LoadAsync(EnvFileLocation.For(Config, Environment, null), () => Task.FromResult<string?>(null), () => runner, System.Environment.GetEnvironmentVariable,
            Task.FromResult(DotEnvRules.ComposeV2));

    /// <summary>What the stack asks of backend (Swarm's own progress through an update is not the run's doing).</summary>
    protected override string ContainerIds(int target) => Targets[target].Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", $"{App.Project}_backend");

    public override IReadOnlyDictionary<string, string?> RollbackTargets() =>
        new Dictionary<string, string?> { ["manager"] = CrashSweep.Records(Targets[0].ProjectDirectory).Previous.GetValueOrDefault("BACKEND_VERSION") };

    public override string? Invariant(IReadOnlyDictionary<string, string?> before, string attempted)
    {
        var records = CrashSweep.Records(Targets[0].ProjectDirectory);
        var recorded = records.Current.GetValueOrDefault("BACKEND_VERSION");
        // Swarm converges on its own after the gate (old tasks shutting down): a bounded wait for three running replicas.
        IReadOnlyList<string> images = [];
        for (var wait = 0; wait < 20; wait++)
        {
            images = Targets[0].Docker("service", "ps", "--filter", "desired-state=running", "--format", "{{.Image}}|{{.CurrentState}}", $"{App.Project}_backend")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("|Running")).Select(l => l.Split('|')[0].Split(':')[^1]).ToList();
            if (images.Count == 3 && images.All(v => v == recorded)) break;
            Thread.Sleep(1000);
        }

        if (images.Count != 3 || images.Any(v => v != recorded)) return $"backend's replicas run {string.Join(", ", images)}, versions.env names {recorded}";
        if (recorded is not ("0.2.2" or "0.2.3")) return $"backend runs {recorded}";
        var target = records.Previous.GetValueOrDefault("BACKEND_VERSION");
        var expected = recorded == "0.2.3" ? "0.2.2" : before["manager"];
        if (target != expected) return $"rollback target {target ?? "(none)"}, expected {expected ?? "(none)"}";
        return CrashSweep.RecordsInvariant(Targets[0].ProjectDirectory, records);
    }
}
