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
public sealed class SwarmDeployer(SuiteConfig config, EnvironmentConfig environment, ICommandRunner manager, ICommandRunner local, IDeployLog log)
{
    private readonly DeploySteps _steps = new(config, manager, local, log);

    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);

    public string Stack => config.Compose.Project;

    public IReadOnlyList<string> Files => environment.ComposeFiles.Count > 0 ? environment.ComposeFiles : config.Compose.Files;

    public async Task<AuditEntry> RunAsync(DeployRequest request, LoadedEnvFile? envFile, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        // The records are read in the round trip that takes the lock.
        await using var held = await HeldLock.TakeAsync(manager, log, config.Deploy, request.Owner, request.LockWait, request.UnlockHint, cancellation, ServerRecords.Read());
        var records = ServerRecords.Parse(held.Read);
        var files = Files.Select(f => ComposeFile.Parse(f, File.ReadAllText(config.ResolvePath(f)))).ToList();
        var uploads = Files.ToDictionary(f => f, f => File.ReadAllText(config.ResolvePath(f)));
        var stackFiles = Files.ToList();
        if (SwarmDefaults.Overlay(files, config.Deploy.StableSeconds + 3) is { } defaults)
        {
            uploads[SwarmDefaults.File] = defaults;
            stackFiles.Add(SwarmDefaults.File);
        }

        await Deployer.UploadAsync(manager, uploads, null, cancellation);
        records = await ReconcileAsync(request, records, stackFiles, envFile, cancellation);
        request = Deployer.RollbackTargetsOf(request, records, manager, log);
        await _steps.HooksAsync(config.Deploy.Hooks.PreDeploy, "pre-deploy", request, [manager.Target], cancellation);
        if (request.Backup) await _steps.BackupAsync(cancellation);

        var from = request.Versions.Keys.ToDictionary(k => k, k => records.Current.GetValueOrDefault(k));
        // Written before the stack changes, removed with the records' commit: a run that dies in between is put back by the next.
        var journal = new DeployJournal(request.Action, request.Owner.Token, Deployer.Who(request.Owner), request.Services, from, request.Versions);
        await manager.RunAsync(RemoteFiles.Apply([FileChange.Write(DeployJournal.File, journal.Format())], "journal the change"), cancellation);
        var after = new Dictionary<string, string>(records.Current);
        foreach (var (variable, version) in request.Versions) after[variable] = version;
        string? failure;
        bool settled;
        try
        {
            (failure, settled) = await DeployStackAsync(request.Services, after, stackFiles, envFile, request.Credentials is not null, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            (failure, settled) = ("interrupted", false);
        }

        if (failure is not null)
        {
            // Swarm's own rollback leaves what the records name; otherwise (interrupted, timed out) the recorded versions are
            // deployed again now, as a single server puts its previous containers back. Only what is settled closes the change.
            var outcome = settled ? "Swarm rolled it back" : await PutBackAsync(request.Services, records, stackFiles, envFile, request.Credentials is not null);
            settled |= outcome == "put back";
            var closing = new List<FileChange> { FileChange.Append(AuditEntry.File, AuditEntry.For(request, from, $"failed: {failure}; {outcome}", clock.Elapsed, log.Redact).ToJsonLine()) };
            if (settled) closing.Add(FileChange.Delete(DeployJournal.File));
            await manager.RunAsync(RemoteFiles.Apply(closing, "audit"), CancellationToken.None);
            var message = $"{request.Action} of {string.Join(", ", request.Services)} to the swarm " +
                          (failure == "interrupted" ? "was interrupted" : $"failed: {failure}") + $"; {outcome} ({Deployer.Describe(from)})" +
                          (settled ? "" : $"; {DeployJournal.File} records it: the next Deploy or Rollback puts back what the records name");
            throw failure == "interrupted" ? new DeployInterruptedException(message) : new DeployFailedException(message);
        }

        var (current, previous) = records.After(request.Versions);
        var done = AuditEntry.For(request, from, "succeeded", clock.Elapsed, log.Redact);
        await manager.RunAsync(RemoteFiles.Apply([
            FileChange.Write(VersionsFile.Current, VersionsFile.Format(current)),
            FileChange.Write(VersionsFile.Previous, VersionsFile.Format(previous, "each version's rollback target")),
            FileChange.Append(AuditEntry.File, done.ToJsonLine()),
            FileChange.Delete(DeployJournal.File)], "commit the records"), CancellationToken.None);
        log.Information($"[{manager.Target}] recorded {Deployer.Describe(request.Versions)} in {VersionsFile.Current} and {AuditEntry.File}");
        await _steps.HooksAsync(config.Deploy.Hooks.PostDeploy, "post-deploy", request, [manager.Target], cancellation);
        await held.ReleaseAsync();
        return done;
    }

    /// <summary>
    /// The recorded versions deployed again after an update that did not settle, within a bound of its own whatever
    /// signal comes now: "put back" when Swarm completed it, else why not (the journal then stays for the next run).
    /// </summary>
    private async Task<string> PutBackAsync(IReadOnlyList<string> services, ServerRecords records, IReadOnlyList<string> stackFiles, LoadedEnvFile? envFile, bool withRegistryAuth)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds * 3 + 60));
        log.Error($"[{manager.Target}] putting back {Deployer.Describe(records.Current.Where(c => services.Any(s => config.Services[s].VersionVariable == c.Key)).ToDictionary())}");
        try
        {
            var (again, _) = await DeployStackAsync(services, records.Current, stackFiles, envFile, withRegistryAuth, bound.Token);
            return again is null ? "put back" : $"putting back did not finish: {again}";
        }
        catch (Exception error) when (error is CommandFailedException or CommandTimedOutException or OperationCanceledException)
        {
            return $"putting back did not finish: {error.Message.Split('\n')[0]}";
        }
    }

    /// <summary>
    /// A change a run began and never committed (it died after journaling it): the stack is deployed again with the
    /// versions the records name, Swarm rolls the services back to them, and the journal goes. Call under the lock.
    /// </summary>
    private async Task<ServerRecords> ReconcileAsync(DeployRequest request, ServerRecords records, IReadOnlyList<string> stackFiles,
        LoadedEnvFile? envFile, CancellationToken cancellation)
    {
        if (records.Journal is not { } journal) return records;
        var closing = new List<FileChange> { FileChange.Delete(DeployJournal.File) };
        if (journal.IsCommittedIn(records))
        {
            log.Warning($"[{manager.Target}] the {journal.Describe()} was committed but its journal was left: removed");
        }
        else
        {
            var clock = Stopwatch.StartNew();
            var back = journal.Back(records);
            log.Warning($"[{manager.Target}] an unfinished {journal.Describe()} was found (that run ended before its records were committed): " +
                        $"putting back {Deployer.Describe(back)}");
            var (failure, _) = await DeployStackAsync(journal.Services, records.Current, stackFiles, envFile, request.Credentials is not null, cancellation);
            if (failure is not null)
                throw new DeployFailedException($"[{manager.Target}] the unfinished {journal.Describe()} could not be put back ({failure}); " +
                                                $"{DeployJournal.File} still records it: the next Deploy or Rollback tries again.");
            closing.Add(FileChange.Append(AuditEntry.File, journal.Undone(Deployer.Who(request.Owner), request.EnvironmentName, back, "put back",
                clock.Elapsed.TotalSeconds).ToJsonLine()));
        }

        await manager.RunAsync(RemoteFiles.Apply(closing, "close the unfinished change"), cancellation);
        return records with { Journal = null };
    }

    /// <summary>
    /// <c>docker stack deploy</c> with <paramref name="versions"/>, then the gate of each selected service: the first
    /// failure, if any, and whether every failed service ended where it began (Swarm rolled it back).
    /// </summary>
    private async Task<(string? Failure, bool Settled)> DeployStackAsync(IReadOnlyList<string> selected, IReadOnlyDictionary<string, string> versions,
        IReadOnlyList<string> stackFiles, LoadedEnvFile? envFile, bool withRegistryAuth, CancellationToken cancellation)
    {
        var services = selected.Select(s => $"{Stack}_{config.Services[s].ComposeService}").ToList();
        var before = new Dictionary<string, SwarmServiceState?>();
        foreach (var service in services) before[service] = await StateAsync(service, cancellation);

        log.Information($"[{manager.Target}] docker stack deploy {Stack}: {Deployer.Describe(versions.Where(v => selected.Any(s => config.Services[s].VersionVariable == v.Key)).ToDictionary())}");
        await manager.RunAsync(SwarmCommands.Deploy(Stack, stackFiles, Variables(envFile, versions), withRegistryAuth), cancellation);

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
            var state = await StateAsync(service, cancellation);
            var updated = state is not null && before is not null && state.UpdateStartedAt != before.UpdateStartedAt;
            if (state is null) return ($"{service}: the stack has no such service", false);
            if (updated && state.UpdateState is "completed" && state.AllRunning) return (null, false);
            // No update began (a stack deploy bumps every service's version, changed or not): nothing to wait for.
            if (!updated && state.UpdateState is "" or "completed" or "rollback_completed" && state.AllRunning && deadline.Elapsed > TimeSpan.FromSeconds(3))
                return (null, false);
            if (updated && state.UpdateState is "rollback_completed" or "rollback_paused" or "paused")
                return ($"{service}: Swarm rolled the update back ({state.UpdateState}: {state.UpdateMessage}); failing tasks: {await FailingTasksAsync(service, cancellation)}",
                    state.UpdateState is "rollback_completed");
            if (deadline.Elapsed > bound) return ($"{service}: the update did not end within {bound.TotalSeconds:0}s (state {state.UpdateState})", false);
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
