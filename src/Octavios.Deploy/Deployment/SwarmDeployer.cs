using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>
/// A deploy to a Docker Swarm through one manager: under the manager's deploy lock, the environment's compose files
/// (and the suite's rolling-update defaults) go up, <c>docker stack deploy</c> runs with the versions as the variables
/// the files already use, and the gate follows each selected service's update until Swarm says it completed — or
/// rolled it back, which is this deploy's failure, reported with the failing tasks' errors. Swarm does the rolling,
/// the health checks and the rollback; the suite keeps the records.
/// </summary>
public sealed class SwarmDeployer(SuiteConfig config, EnvironmentConfig environment, ICommandRunner manager, IDeployLog log)
{
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);

    public string Stack => config.Compose.Project;

    public IReadOnlyList<string> Files => environment.ComposeFiles.Count > 0 ? environment.ComposeFiles : config.Compose.Files;

    public async Task<AuditEntry> RunAsync(DeployRequest request, LoadedEnvFile? envFile, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        await using var held = await HeldLock.TakeAsync(manager, log, config.Deploy, request.Owner, request.LockWait, request.UnlockHint, cancellation);
        var records = ServerRecords.Parse((await manager.RunAsync(ServerRecords.Read(), cancellation)).StandardOutput);
        var files = Files.Select(f => ComposeFile.Parse(f, File.ReadAllText(config.ResolvePath(f)))).ToList();
        var uploads = Files.ToDictionary(f => f, f => File.ReadAllText(config.ResolvePath(f)));
        var stackFiles = Files.ToList();
        if (SwarmDefaults.Overlay(files, config.Deploy.StableSeconds + 3) is { } defaults)
        {
            uploads[SwarmDefaults.File] = defaults;
            stackFiles.Add(SwarmDefaults.File);
        }

        await Deployer.UploadAsync(manager, uploads, null, cancellation);

        var after = new Dictionary<string, string>(records.Current);
        foreach (var (variable, version) in request.Versions) after[variable] = version;
        var from = request.Versions.Keys.ToDictionary(k => k, k => records.Current.GetValueOrDefault(k));
        var services = request.Services.Select(s => $"{Stack}_{config.Services[s].ComposeService}").ToList();
        var before = new Dictionary<string, SwarmServiceState?>();
        foreach (var service in services) before[service] = await StateAsync(service, cancellation);

        log.Information($"[{manager.Target}] docker stack deploy {Stack}: {Describe(request.Versions)}");
        await manager.RunAsync(SwarmCommands.Deploy(Stack, stackFiles, Variables(envFile, after), request.Credentials is not null), cancellation);

        var failures = new List<string>();
        foreach (var service in services)
        {
            var failure = await GateAsync(service, before[service], cancellation);
            if (failure is not null) failures.Add(failure);
        }

        if (failures.Count > 0)
        {
            var reason = string.Join("; ", failures);
            await manager.RunAsync(RemoteFiles.Apply([FileChange.Append(AuditEntry.File, Audit(request, from, $"failed: {reason}", clock).ToJsonLine())], "audit"), CancellationToken.None);
            throw new DeployFailedException($"{request.Action} of {string.Join(", ", request.Services)} to the swarm failed: {reason}");
        }

        var (current, previous) = records.After(request.Versions);
        var done = Audit(request, from, "succeeded", clock);
        await manager.RunAsync(RemoteFiles.Apply([
            FileChange.Write(VersionsFile.Current, VersionsFile.Format(current)),
            FileChange.Write(VersionsFile.Previous, VersionsFile.Format(previous, "each version's rollback target")),
            FileChange.Append(AuditEntry.File, done.ToJsonLine())], "commit the records"), CancellationToken.None);
        log.Information($"[{manager.Target}] recorded {Describe(request.Versions)} in {VersionsFile.Current} and {AuditEntry.File}");
        await held.ReleaseAsync();
        return done;
    }

    /// <summary>
    /// Waits for the update the stack deploy started on a service to end: null when it completed (or nothing was to
    /// update and every replica runs), else why it failed with the failing tasks' errors.
    /// </summary>
    private async Task<string?> GateAsync(string service, SwarmServiceState? before, CancellationToken cancellation)
    {
        var deadline = Stopwatch.StartNew();
        var bound = TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds * 3);
        log.Information($"{service}: waiting for Swarm's rolling update (up to {bound.TotalSeconds:0}s)");
        while (true)
        {
            var state = await StateAsync(service, cancellation);
            var updated = state is not null && before is not null && state.UpdateStartedAt != before.UpdateStartedAt;
            if (state is null) return $"{service}: the stack has no such service";
            if (updated && state.UpdateState is "completed" && state.AllRunning) return null;
            if ((before is null || state.Version == before.Version) && state.UpdateState is "" or "completed" && state.AllRunning && deadline.Elapsed > TimeSpan.FromSeconds(3))
                return null;
            if (updated && state.UpdateState is "rollback_completed" or "rollback_paused" or "paused")
                return $"{service}: Swarm rolled the update back ({state.UpdateState}: {state.UpdateMessage}); failing tasks: {await FailingTasksAsync(service, cancellation)}";
            if (deadline.Elapsed > bound) return $"{service}: the update did not end within {bound.TotalSeconds:0}s (state {state.UpdateState})";
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
    private Dictionary<string, CommandArg> Variables(LoadedEnvFile? envFile, IReadOnlyDictionary<string, string> versions)
    {
        var variables = new Dictionary<string, CommandArg>();
        foreach (var variable in envFile?.Variables ?? [])
            variables[variable.Name] = new CommandArg(variable.Value, SecretNames.ValuesToMask(variable.Name, variable.Value, config.Validation.Secrets).Any());
        foreach (var (name, value) in ComposeCommands.ProjectVariables(config, versions)) variables[name] = value;
        return variables;
    }

    private static AuditEntry Audit(DeployRequest request, IReadOnlyDictionary<string, string?> from, string result, Stopwatch clock) =>
        new(request.Action, request.Owner.Who + "@" + request.Owner.Machine, DateTimeOffset.UtcNow, request.EnvironmentName, request.Services, from,
            request.Versions, result, clock.Elapsed.TotalSeconds);

    private static string Describe(IReadOnlyDictionary<string, string> versions) => string.Join(", ", versions.Select(v => $"{v.Key}={v.Value}"));
}

/// <summary>A Swarm service as <see cref="SwarmCommands.ServiceState"/> prints it.</summary>
public sealed record SwarmServiceState(string Version, string UpdateState, string UpdateStartedAt, string UpdateMessage, string Image, string Replicas)
{
    public bool AllRunning => Replicas.Split('/') is [var running, var desired] && running == desired.Split(' ')[0] && running != "0";

    public static SwarmServiceState? Parse(string line) =>
        line.Trim().Split('|') is [var version, var state, var started, var message, var image, var replicas]
            ? new SwarmServiceState(version, state, started, message, image, replicas)
            : null;
}
