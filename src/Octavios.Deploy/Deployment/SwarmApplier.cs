using Octavios.Deploy.Records;
using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>Swarm's own rolling update of a service failed; <see cref="RolledBack"/> when Swarm put the previous tasks back itself.</summary>
public sealed class SwarmUpdateFailedException(string message, bool rolledBack) : Exception(message)
{
    public bool RolledBack { get; } = rolledBack;
}

/// <summary>
/// A change on a Docker Swarm through one manager: the environment's compose files (and the suite's rolling-update
/// defaults) go up, <c>docker stack deploy</c> runs with the versions as the variables the files already use, and the
/// gate follows each selected service's update until Swarm says it completed, or rolled it back, reported with the
/// failing tasks' errors. Swarm does the rolling, the health checks and its own rollback; an update that did not settle
/// (interrupted, timed out) is undone by deploying the recorded versions again.
/// </summary>
/// <param name="withRegistryAuth">The run has registry credentials: the nodes get them with every stack deploy, a repair's too.</param>
public sealed class SwarmApplier(SuiteConfig config, ComposeFileSet composeFiles, EnvironmentConfig environment, ICommandRunner manager, IDeployLog log, LoadedEnvFile? envFile,
    bool withRegistryAuth) : IChangeApplier
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private string Stack => config.Compose.Project;

    private IReadOnlyList<string> Files => environment.ComposeFiles.Count > 0 ? environment.ComposeFiles : config.Compose.Files;

    private string? Defaults => _defaults ??= SwarmDefaults.Overlay(composeFiles.Parsed(Files), config.Deploy.StableSeconds + 3) ?? "";

    private string? _defaults;

    private IReadOnlyList<string> StackFiles => Defaults is { Length: > 0 } ? [.. Files, SwarmDefaults.File] : Files;

    public IReadOnlyDictionary<string, string> Uploads
    {
        get
        {
            var uploads = Files.ToDictionary(f => f, composeFiles.Text);
            if (Defaults is { Length: > 0 } defaults) uploads[SwarmDefaults.File] = defaults;
            return uploads;
        }
    }

    public TimeSpan UndoBound => TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds * 3 + 60);

    public IEnumerable<string> Warnings => [];

    public Task PrepareAsync(DeployRequest request, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation) =>
        request.Services.FirstOrDefault(s => s.Settings.Release is { Command.Length: > 0 }) is { } releasing
            ? throw new DeployFailedException($"{releasing.Name} has a release command, which a Swarm deploy does not run (Compose hosts only): nothing was changed.")
            : Task.CompletedTask;

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RunningAsync(IReadOnlyList<SelectedService> services, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(new Dictionary<string, IReadOnlyList<string>>());

    public async Task ApplyAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, DeployJournal journal, CancellationToken cancellation)
    {
        var (failure, settled) = await DeployStackAsync(services, versions, cancellation);
        if (failure is not null) throw new SwarmUpdateFailedException(failure, settled);
    }

    public async Task<string> UndoAsync(Exception failure, IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, DeployJournal journal,
        CancellationToken cancellation)
    {
        if (failure is SwarmUpdateFailedException { RolledBack: true }) return "Swarm rolled it back";
        var (again, _) = await DeployStackAsync(services, versions, cancellation);
        return again is null ? "put back" : throw new ChangeNotSettledException($"putting back did not finish: {again}");
    }

    public async Task<string> RepairAsync(DeployJournal journal, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation)
    {
        var (failure, _) = await DeployStackAsync(SelectedService.Of(config, journal.Services), versions, cancellation);
        return failure is null ? "put back" : throw new ChangeNotSettledException(failure);
    }

    /// <summary>A Swarm runs no release command: refused before anything changes (PrepareAsync says so first).</summary>
    public Task ReleaseAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, string token, CancellationToken cancellation) =>
        Task.CompletedTask;

    /// <summary>Each service of the change that left its recorded version goes back to its previous spec (the stack's env stays on this machine).</summary>
    public Task<JournaledRepair> RepairOfAsync(DeployJournal journal, IReadOnlyDictionary<string, string> recorded, CancellationToken cancellation) =>
        Task.FromResult(new JournaledRepair(new Command("sh", ["-c", string.Join('\n', SelectedService.Of(config, journal.Services)
            .Where(s => recorded.ContainsKey(s.VersionVariable))
            .Select(s => SwarmCommands.RollbackUnlessAt($"{Stack}_{s.ComposeService}", recorded[s.VersionVariable]).ToShellLine() + " || exit 1")
            .DefaultIfEmpty("true"))]) { Title = "put the change back" }, []));

    /// <summary>
    /// <c>docker stack deploy</c> with <paramref name="versions"/>, then the gate of each selected service: the first
    /// failure, if any, and whether every failed service ended where it began (Swarm rolled it back).
    /// </summary>
    private async Task<(string? Failure, bool Settled)> DeployStackAsync(IReadOnlyList<SelectedService> selected, IReadOnlyDictionary<string, string> versions,
        CancellationToken cancellation)
    {
        var services = selected.Select(s => $"{Stack}_{s.ComposeService}").ToList();
        var before = new Dictionary<string, SwarmServiceState?>();
        foreach (var service in services) before[service] = await StateAsync(service, cancellation);

        log.Information($"[{manager.Target}] docker stack deploy {Stack}: {DeployTransaction.Describe(versions.Where(v => selected.Any(s => s.VersionVariable == v.Key)).ToDictionary())}");
        await manager.RunAsync(SwarmCommands.Deploy(Stack, StackFiles, Variables(versions), withRegistryAuth), cancellation);

        var failures = new List<string>();
        var settled = true;
        foreach (var service in services)
        {
            var (failure, rolledBack) = await GateAsync(service, before[service], cancellation);
            if (failure is null) continue;
            failures.Add(failure);
            settled &= rolledBack;
        }

        return (failures.Count == 0 ? null : string.Join("; ", failures), settled);
    }

    /// <summary>
    /// Waits for the update the stack deploy started on a service to end: no failure when it completed (or nothing was
    /// to update and every replica runs), else why it failed with the failing tasks' errors, and whether Swarm rolled it back.
    /// </summary>
    private async Task<(string? Failure, bool RolledBack)> GateAsync(string service, SwarmServiceState? before, CancellationToken cancellation)
    {
        var deadline = Stopwatch.StartNew();
        var bound = TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds * 3);
        if (manager.IsDryRun)
        {
            log.Information($"[dry run] [{manager.Target}] would wait up to {bound.TotalSeconds:0}s for Swarm's rolling update of {service} to complete");
            return (null, false);
        }

        log.Information($"{service}: waiting for Swarm's rolling update (up to {bound.TotalSeconds:0}s)");
        while (true)
        {
            if (await StateAsync(service, cancellation) is not { } state) return ($"{service}: the stack has no such service", false);
            switch (state.UpdateSince(before, settled: deadline.Elapsed > TimeSpan.FromSeconds(3)))
            {
                case SwarmUpdate.Done:
                    return (null, false);
                case SwarmUpdate.RolledBack or SwarmUpdate.Paused:
                    return ($"{service}: Swarm rolled the update back ({state.UpdateState}: {state.UpdateMessage}); failing tasks: {await FailingTasksAsync(service, cancellation)}",
                        state.UpdateState is "rollback_completed");
            }

            if (deadline.Elapsed > bound)
                return ($"{service}: the update did not end within {bound.TotalSeconds:0}s (state {state.UpdateState}, replicas {state.Replicas}, {state.OffSpec} on another image)", false);
            await Task.Delay(Poll, cancellation);
        }
    }

    private async Task<string> FailingTasksAsync(string service, CancellationToken cancellation)
    {
        var tasks = (await manager.RunAsync(SwarmCommands.Tasks(service), cancellation)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).Where(f => f.Length >= 5 && f[4].Length > 0)
            .Select(f => $"{f[0].TrimStart('\\', '_', ' ')} ({f[1].Split('@')[0]}): {f[4]}").Distinct().Take(5).ToList();
        return tasks.Count == 0 ? "none reported an error" : string.Join(", ", tasks);
    }

    private async Task<SwarmServiceState?> StateAsync(string service, CancellationToken cancellation)
    {
        var result = await manager.TryRunAsync(SwarmCommands.ServiceState(service), cancellation);
        return result.Succeeded ? SwarmServiceState.Parse(result.StandardOutput) : null;
    }

    /// <summary>What the stack's files substitute: the env file's variables (secrets stay secrets), the registry, namespace and versions.</summary>
    private Dictionary<string, CommandArg> Variables(IReadOnlyDictionary<string, string> versions)
    {
        var variables = new Dictionary<string, CommandArg>();
        foreach (var variable in envFile?.Variables ?? [])
            variables[variable.Name] = new CommandArg(variable.Value, SecretNames.ValuesToMask(variable.Name, variable.Value, config.Validation.Secrets).Any());
        foreach (var (name, value) in ComposeCommands.ProjectVariables(config, versions)) variables[name] = value;
        return variables;
    }
}

