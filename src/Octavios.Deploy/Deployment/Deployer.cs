using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;
using Octavios.Deploy.Registry;
using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Deployment;

/// <summary>What one deploy or rollback changes.</summary>
public sealed record DeployRequest(
    string Action,
    string EnvironmentName,
    IReadOnlyList<string> Services,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyDictionary<string, string> Uploads,
    RegistryCredentials? Credentials,
    LockOwner Owner,
    TimeSpan LockWait,
    bool Backup,
    string UnlockHint,
    bool ToPrevious = false);

public sealed class DeployFailedException(string message) : Exception(message);

/// <summary>SIGINT or SIGTERM reached a deploy; it put the previous versions back before stopping.</summary>
public sealed class DeployInterruptedException(string message) : Exception(message);

/// <summary>
/// A deploy on one target. Under the lock (with its heartbeat): an unfinished change left by an earlier run is finished
/// or undone first; hooks, backup, uploads and the pull change nothing that runs; then the change is journaled, the
/// selected services recreated wave by wave (depends_on) and gated (healthy, then stable). Only then are the records
/// committed, in one step with the audit line and the journal's removal. Any failure, timeout or interruption after
/// the journal puts the previous versions back (never pulling) and records that; a lost connection leaves the journal
/// for the next run, which undoes it.
/// </summary>
public sealed class Deployer(SuiteConfig config, ICommandRunner target, ICommandRunner local, IDeployLog log,
    string? envFile, bool pull)
{
    /// <summary>The rest of the fleet this host's deploy waits for; null on a single server.</summary>
    public IFleetBarrier? Fleet { get; init; }

    /// <summary>Hooks run here; a fleet runs them once for all its hosts instead.</summary>
    public bool RunHooks { get; init; } = true;

    /// <summary>The user's steps around the change on this target: hooks (on this machine) and the backup.</summary>
    public DeploySteps Steps { get; } = new(config, target, local, log);

    /// <summary>This deployer as one host of a fleet: it waits for the others at the barrier's points, and runs no hooks.</summary>
    public Deployer InFleet(IFleetBarrier barrier) => new(config, target, local, log, envFile, pull) { Fleet = barrier, RunHooks = false };

    /// <summary>Returns the audit line it committed; a failure throws, having put the previous versions back.</summary>
    public async Task<AuditEntry> RunAsync(DeployRequest request, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        // The records are read in the round trip that takes the lock.
        await using var held = await HeldLock.TakeAsync(target, log, config.Deploy, request.Owner, request.LockWait, request.UnlockHint, cancellation, ServerRecords.Read());
        if (Fleet is not null && !await Fleet.LockedAsync(cancellation))
            throw new FleetStoppedException($"[{target.Target}] not changed: another host of the fleet could not be locked");
        var records = await ReconcileAsync(request.Owner, request.EnvironmentName, ServerRecords.Parse(held.Read), cancellation);
        request = RollbackTargetsOf(request, records, target, log);
        if (RunHooks) await Steps.HooksAsync(config.Deploy.Hooks.PreDeploy, "pre-deploy", request, [target.Target], cancellation);
        if (request.Backup) await Steps.BackupAsync(cancellation);
        await UploadAsync(target, request.Uploads, envFile, cancellation);

        var flavor = await ComposeFlavorProbe.DetectAsync(target, log, config.Compose.Flavor, cancellation);
        var waves = Waves(request.Services);
        var from = request.Versions.Keys.ToDictionary(k => k, k => records.Current.GetValueOrDefault(k));
        var after = new Dictionary<string, string>(records.Current);
        foreach (var (variable, version) in request.Versions) after[variable] = version;
        // Pulling changes nothing that runs: a failure here leaves nothing to undo.
        if (pull)
        {
            log.Information($"[{target.Target}] pulling {string.Join(", ", waves.SelectMany(w => w).Select(p => p.Name))}");
            await PullAsync(Compose(flavor, after), waves, request.Credentials, cancellation);
        }

        if (Fleet is not null && !await Fleet.ReadyToChangeAsync(cancellation))
            throw new FleetStoppedException($"[{target.Target}] not changed: the fleet stopped before this host's turn");
        var rollout = new Rollout(config, target, log);
        var running = await RunningAsync(rollout, waves, cancellation);
        var journal = new DeployJournal(request.Action, request.Owner.Token, Who(request.Owner), request.Services, from, request.Versions, Ids(running));
        await target.RunAsync(RemoteFiles.Apply([FileChange.Write(DeployJournal.File, journal.Format())], "journal the change"), cancellation);
        try
        {
            foreach (var wave in waves) await rollout.ApplyAsync(Compose(flavor, after), wave, running, cancellation);
        }
        catch (SshConnectionException lost)
        {
            throw Lost(lost, journal);
        }
        catch (Exception failure)
        {
            await UndoAsync(failure, request, journal, flavor, waves, after, clock, cancellation);
            throw;
        }

        var (current, previous) = records.After(request.Versions);
        AuditEntry done;
        try
        {
            // Past the gate, an interruption no longer undoes anything: the records of the healthy release are written.
            await CommitAsync(current, previous, done = AuditEntry.For(request, from, "succeeded", clock.Elapsed, log.Redact), CancellationToken.None);
        }
        catch (Exception failure) when (failure is CommandFailedException or CommandTimedOutException or SshConnectionException or OperationCanceledException)
        {
            throw Uncommitted(failure, journal, $"{Describe(request.Versions)} is healthy, but its records could not be written");
        }

        log.Information($"[{target.Target}] recorded {Describe(request.Versions)} in {VersionsFile.Current} and {AuditEntry.File}");
        if (Fleet is not null && !await Fleet.KeepAsync(cancellation))
        {
            await RevertAsync(request, records, journal, flavor, waves, after, cancellation);
            throw new FleetStoppedException($"[{target.Target}] updated, then put back to {Describe(journal.From)}: another host of the fleet failed");
        }

        // Post-deploy hooks run under the lock too, as on every kind of target: nothing changes the servers meanwhile.
        if (RunHooks) await Steps.HooksAsync(config.Deploy.Hooks.PostDeploy, "post-deploy", request, [target.Target], cancellation);
        await held.ReleaseAsync();
        foreach (var slow in rollout.SlowStops)
            log.Warning($"{slow.Service}: its old container took {slow.Seconds:0.0}s to stop, its whole grace period: PID 1 ignores SIGTERM. " +
                        "Give the service init: true (an init that forwards signals), or a STOPSIGNAL / stop_signal its server obeys.");
        return done;
    }

    /// <summary>
    /// Finishes or undoes a change an earlier run left unfinished (its journal is still there): committed records mean
    /// it only lacked the clean-up; otherwise the services it touched go back to the versions the records name.
    /// Returns the records as they stand afterwards. Call under the lock.
    /// </summary>
    public async Task<ServerRecords> ReconcileAsync(LockOwner owner, string environment, CancellationToken cancellation = default) =>
        await ReconcileAsync(owner, environment, ServerRecords.Parse((await target.RunAsync(ServerRecords.Read(), cancellation)).StandardOutput), cancellation);

    /// <summary>The same, from <paramref name="records"/> read under the lock.</summary>
    private async Task<ServerRecords> ReconcileAsync(LockOwner owner, string environment, ServerRecords records, CancellationToken cancellation)
    {
        if (records.Journal is not { } journal) return records;
        if (journal.IsCommittedIn(records))
        {
            log.Warning($"[{target.Target}] the {journal.Describe()} was committed but its journal was left: removed");
            await target.RunAsync(RemoteFiles.Apply([FileChange.Delete(DeployJournal.File)], "remove the journal"), cancellation);
            return records with { Journal = null };
        }

        var back = journal.Back(records);
        log.Warning($"[{target.Target}] an unfinished {journal.Describe()} was found (that run ended before its records were committed): " +
                    $"putting back {Describe(back)}");
        var clock = Stopwatch.StartNew();
        var flavor = await ComposeFlavorProbe.DetectAsync(target, log, config.Compose.Flavor, cancellation);
        var outcome = "put back";
        var rollout = new Rollout(config, target, log);
        try
        {
            foreach (var plan in Waves(journal.Services).SelectMany(w => w))
                await rollout.ConvergeAsync(Compose(flavor, records.Current), plan, journal.KeptOf(plan.ComposeService), recreate: false, cancellation);
        }
        catch (HealthGateException failure)
        {
            outcome = $"put back, but not healthy: {FirstLine(failure)}";
        }
        catch (Exception failure) when (failure is CommandFailedException or CommandTimedOutException)
        {
            // Not known what runs now: the journal stays for the next run.
            throw new DeployFailedException($"[{target.Target}] the unfinished {journal.Describe()} could not be undone ({FirstLine(failure)}); " +
                                            ".octavios/journal.env still records it: the next Deploy or Rollback tries again.");
        }

        var entry = journal.Undone(Who(owner), environment, back, outcome, clock.Elapsed.TotalSeconds);
        await CommitAsync(null, null, entry, cancellation);
        log.Information($"[{target.Target}] {outcome}: {Describe(back)}");
        if (outcome != "put back") throw new DeployFailedException($"[{target.Target}] the unfinished {journal.Describe()} was undone, {outcome}.");
        return records with { Journal = null };
    }

    private async Task UndoAsync(Exception failure, DeployRequest request, DeployJournal journal, ComposeFlavor flavor,
        IReadOnlyList<IReadOnlyList<ServicePlan>> waves, IReadOnlyDictionary<string, string> after, Stopwatch clock, CancellationToken cancellation)
    {
        var interrupted = failure is OperationCanceledException && cancellation.IsCancellationRequested;
        // The undo runs to its end within a bound of its own, whatever signal comes now (a second one kills the process).
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds + config.Deploy.StableSeconds + 60));
        var undo = bound.Token;
        var reason = interrupted ? "interrupted" : FirstLine(failure);
        var rollout = new Rollout(config, target, log);
        if (failure is HealthGateException unhealthy) await ShowLogsQuietlyAsync(rollout, ServiceOf(waves, unhealthy.Service), undo);
        log.Error($"{reason}: putting back {Describe(journal.From)}");
        var restored = Restored(after, journal.From);

        // A start-first release that failed its gate was removed before it took any traffic: nothing to put back.
        var outcome = failure is NeverTookTrafficException ? "it never took traffic, the previous release kept serving" : "rolled back to the previous versions";
        try
        {
            foreach (var plan in waves.SelectMany(w => w))
                await rollout.ConvergeAsync(Compose(flavor, restored), plan, journal.KeptOf(plan.ComposeService), recreate: true, undo);
        }
        catch (SshConnectionException lost)
        {
            throw Lost(lost, journal);
        }
        catch (HealthGateException again)
        {
            // The previous versions run again, unhealthy: the records name what runs.
            outcome = $"rolled back, but the previous release is not healthy: {FirstLine(again)}";
        }
        catch (Exception again) when (again is CommandFailedException or CommandTimedOutException or OperationCanceledException)
        {
            // What runs is not known: the journal stays, so the next run puts the recorded versions back.
            await target.TryRunAsync(RemoteFiles.Apply([FileChange.Append(AuditEntry.File, AuditEntry.For(request, journal.From, $"failed: {reason}; rollback did not finish: {FirstLine(again)}", clock.Elapsed, log.Redact).ToJsonLine())], "audit"), undo);
            throw Uncommitted(again, journal, $"{request.Action} of {string.Join(", ", request.Services)} failed ({reason}) and putting back the previous versions did not finish");
        }

        // A release that never went live changes neither the current versions nor the rollback targets.
        try
        {
            await CommitAsync(null, null, AuditEntry.For(request, journal.From, $"failed: {reason}; {outcome}", clock.Elapsed, log.Redact), undo);
        }
        catch (Exception again) when (again is CommandFailedException or CommandTimedOutException or SshConnectionException or OperationCanceledException)
        {
            throw Uncommitted(again, journal, $"{outcome} to {Describe(journal.From)}, but the records could not be written");
        }

        var message = $"{request.Action} of {string.Join(", ", request.Services)} " +
                      (interrupted ? "was interrupted" : $"failed ({reason})") + $"; {outcome} ({Describe(journal.From)}).";
        throw interrupted ? new DeployInterruptedException(message) : new DeployFailedException(message);
    }

    /// <summary>
    /// Puts a host that was updated and recorded back to what it ran before, because another host of its fleet failed:
    /// a journaled start-first change of its own (the images are still here), and the records as they were.
    /// </summary>
    private async Task RevertAsync(DeployRequest request, ServerRecords before, DeployJournal applied, ComposeFlavor flavor,
        IReadOnlyList<IReadOnlyList<ServicePlan>> waves, IReadOnlyDictionary<string, string> after, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var to = applied.From.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        log.Warning($"[{target.Target}] another host of the fleet failed: putting back {Describe(applied.From)}");
        var rollout = new Rollout(config, target, log);
        var running = await RunningAsync(rollout, waves, cancellation);
        var journal = new DeployJournal("revert", request.Owner.Token, Who(request.Owner), request.Services,
            request.Versions.ToDictionary(v => v.Key, v => (string?)v.Value), to, Ids(running));
        await target.RunAsync(RemoteFiles.Apply([FileChange.Write(DeployJournal.File, journal.Format())], "journal the change"), cancellation);
        try
        {
            foreach (var wave in waves) await rollout.ApplyAsync(Compose(flavor, Restored(after, applied.From)), wave, running, cancellation);
            await CommitAsync(before.Current, before.Previous, AuditEntry.For(request, journal.From, "reverted: another host of the fleet failed", clock.Elapsed, log.Redact) with { Action = "revert", To = to }, cancellation);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            throw Uncommitted(failure, journal, $"putting back {Describe(applied.From)} after another host failed did not finish");
        }
    }

    /// <summary>
    /// The files in one round trip, each written whole, then moved in place; the env file (<paramref name="secretFile"/>)
    /// 0600. A file too large to be an argument (Linux allows 128 KiB) goes alone through standard input.
    /// </summary>
    public static async Task UploadAsync(ICommandRunner target, IReadOnlyDictionary<string, string> uploads, string? secretFile, CancellationToken cancellation)
    {
        var large = uploads.Where(u => u.Key != secretFile && u.Value.Length > 100_000).ToList();
        foreach (var (path, content) in large) await target.RunAsync(RemoteFiles.Write(path, content), cancellation);
        var together = uploads.Where(u => !large.Contains(u)).ToDictionary();
        if (together.Count > 0) await target.RunAsync(RemoteFiles.Upload(together, secretFile), cancellation);
    }

    /// <summary>Each service's running containers before the change: the ones the journal keeps, the ones a rollout replaces.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<ServiceContainer>>> RunningAsync(Rollout rollout,
        IReadOnlyList<IReadOnlyList<ServicePlan>> waves, CancellationToken cancellation)
    {
        var running = new Dictionary<string, IReadOnlyList<ServiceContainer>>();
        foreach (var plan in waves.SelectMany(w => w))
            running[plan.ComposeService] = (await rollout.ContainersAsync(plan, cancellation)).Where(c => c.Running).ToList();
        return running;
    }

    private static Dictionary<string, IReadOnlyList<string>> Ids(Dictionary<string, IReadOnlyList<ServiceContainer>> running) =>
        running.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value.Select(c => c.Id).ToList());

    private static Dictionary<string, string> Restored(IReadOnlyDictionary<string, string> after, IReadOnlyDictionary<string, string?> from)
    {
        var restored = new Dictionary<string, string>(after);
        foreach (var (variable, version) in from)
        {
            if (version is null) restored.Remove(variable);
            else restored[variable] = version;
        }

        return restored;
    }

    /// <summary>The failing service's last log lines; a log that cannot be read never stands in the way of the undo.</summary>
    private async Task ShowLogsQuietlyAsync(Rollout rollout, ServicePlan plan, CancellationToken cancellation)
    {
        try
        {
            await rollout.ShowLogsAsync(plan.Name, (await rollout.ContainersAsync(plan, cancellation)).Select(c => c.Id), cancellation);
        }
        catch (Exception error) when (error is CommandFailedException or CommandTimedOutException)
        {
            log.Warning($"{plan.Name}: its logs could not be read ({FirstLine(error)})");
        }
    }

    private Exception Lost(SshConnectionException lost, DeployJournal journal) => new DeployFailedException(
        $"{lost.Message}\nThe server may now run {Describe(journal.To)} unverified; .octavios/journal.env records the change. " +
        $"The next Deploy or Rollback puts back {Describe(journal.From)} (it takes the lock over once the lost run's heartbeat is {config.Deploy.LockStaleSeconds}s old).");

    /// <summary>The containers are settled but the records could not be committed (full disk, lost answer): the journal still says so.</summary>
    private static Exception Uncommitted(Exception failure, DeployJournal journal, string what) => new DeployFailedException(
        $"{what} ({FirstLine(failure)}). .octavios/journal.env still records the change: the next Deploy or Rollback puts back " +
        $"what versions.env names ({Describe(journal.From)}) and records it.");

    /// <summary>The records of a finished change, the audit line and the journal's removal, in one atomic sequence.</summary>
    private Task CommitAsync(IReadOnlyDictionary<string, string>? current, IReadOnlyDictionary<string, string>? previous, AuditEntry entry, CancellationToken cancellation)
    {
        var changes = new List<FileChange>();
        if (current is not null) changes.Add(FileChange.Write(VersionsFile.Current, VersionsFile.Format(current)));
        if (previous is not null) changes.Add(FileChange.Write(VersionsFile.Previous, VersionsFile.Format(previous, "each version's rollback target")));
        changes.Add(FileChange.Append(AuditEntry.File, entry.ToJsonLine()));
        changes.Add(FileChange.Delete(DeployJournal.File));
        return target.RunAsync(RemoteFiles.Apply(changes, "commit the records"), cancellation);
    }

    private ComposeCommands Compose(ComposeFlavor flavor, IReadOnlyDictionary<string, string> versions) =>
        ComposeCommands.ForProject(config, flavor, envFile, versions);

    private IReadOnlyList<ComposeFile> ComposeFiles() =>
        _composeFiles ??= config.Compose.Files.Select(f => ComposeFile.Parse(f, File.ReadAllText(config.ResolvePath(f)))).ToList();

    private IReadOnlyList<ComposeFile>? _composeFiles;

    /// <summary>The services in depends_on order, wave by wave, each with how it is replaced.</summary>
    private IReadOnlyList<IReadOnlyList<ServicePlan>> Waves(IEnumerable<string> services)
    {
        var files = ComposeFiles();
        var plans = services.Where(config.Services.ContainsKey).Select(s => ServicePlan.For(config, files, s)).ToList();
        return DependencyOrder.Waves(files, plans.Select(p => p.ComposeService).ToList())
            .Select(wave => (IReadOnlyList<ServicePlan>)wave.Select(name => plans.First(p => p.ComposeService == name)).ToList())
            .ToList();
    }

    private static ServicePlan ServiceOf(IReadOnlyList<IReadOnlyList<ServicePlan>> waves, string service) =>
        waves.SelectMany(w => w).First(p => p.Name == service || p.ComposeService == service);

    private async Task PullAsync(ComposeCommands compose, IReadOnlyList<IReadOnlyList<ServicePlan>> waves, RegistryCredentials? credentials, CancellationToken cancellation)
    {
        var services = waves.SelectMany(w => w).Select(p => p.ComposeService).ToList();
        // The docker CLI pulls the images the suite's own variables name, without Compose's start-up (v1's is Python, ~0.5 s);
        // Compose pulls when an image needs a variable only the server knows.
        var unknown = new List<string>();
        var images = services.Select(s => ComposeFile.ImageOf(ComposeFiles(), s, name => compose.Variables.GetValueOrDefault(name), unknown)).ToList();
        var pullCommand = (unknown.Count == 0 && images.All(i => i is { Length: > 0 }) ? DockerCommands.PullAll(images!) : compose.Pull(services))
            with { Timeout = TimeSpan.FromSeconds(config.Deploy.PullTimeoutSeconds) };
        await target.RunAsync(credentials is null ? pullCommand : DockerCommands.WithTemporaryLogin(config.Registry, credentials.Username, credentials.Password, pullCommand), cancellation);
    }

    /// <summary>
    /// A rollback without a version (<see cref="DeployRequest.ToPrevious"/>) goes to the server's own rollback targets,
    /// read under its lock: the hosts of a fleet may each have others. A dry run shows them as placeholders.
    /// </summary>
    internal static DeployRequest RollbackTargetsOf(DeployRequest request, ServerRecords records, ICommandRunner server, IDeployLog log)
    {
        if (!request.ToPrevious || server.IsDryRun) return request;
        request = request with { Versions = records.RollbackTargets(request.Versions.Keys, server.Target), ToPrevious = false };
        log.Information($"[{server.Target}] rolling back to {Describe(request.Versions)}");
        return request;
    }

    internal static string Who(LockOwner owner) => owner.Who + "@" + owner.Machine;

    internal static string Describe<T>(IReadOnlyDictionary<string, T> versions) =>
        string.Join(", ", versions.Select(v => $"{v.Key}={(v.Value is null ? "(compose default)" : v.Value.ToString())}"));

    private static string FirstLine(Exception error) => error.Message.Split('\n')[0];
}
