using Octavios.Deploy.Records;
using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Registry;
using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Deployment;

/// <summary>What one deploy or rollback changes.</summary>
public sealed record DeployRequest(
    string Action,
    string EnvironmentName,
    IReadOnlyList<SelectedService> Services,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyDictionary<string, string> Uploads,
    RegistryCredentials? Credentials,
    LockOwner Owner,
    TimeSpan LockWait,
    bool Backup,
    string UnlockHint,
    bool ToPrevious = false)
{
    /// <summary>The services by name, as journals, audit lines and hooks name them.</summary>
    public IReadOnlyList<string> ServiceNames => Services.Select(s => s.Name).ToList();
}

public sealed class DeployFailedException(string message) : Exception(message);

/// <summary>SIGINT or SIGTERM reached a deploy; it put the previous versions back before stopping.</summary>
public sealed class DeployInterruptedException(string message) : Exception(message);

/// <summary>
/// The one sequence of every deploy and rollback on one target, whatever its kind (the <see cref="IChangeApplier"/>
/// does the kind's part). Under the lock (with its heartbeat): an unfinished change left by an earlier run is finished
/// or undone first; hooks, backup, uploads and the applier's preparation (the pull) change nothing that runs; then the
/// change is journaled, applied and gated. Only then are the records committed, in one step with the audit line and
/// the journal's removal. Any failure, timeout or interruption after the journal puts the previous versions back and
/// records that; a lost connection leaves the journal for the next run, which undoes it.
/// </summary>
public sealed class DeployTransaction(SuiteConfig config, IChangeApplier applier, ICommandRunner target, ICommandRunner local, IDeployLog log, string? envFile)
{
    /// <summary>The rest of the fleet this host's deploy waits for; null on a single target.</summary>
    public IFleetBarrier? Fleet { get; init; }

    /// <summary>The user's steps around the change on this target: hooks (on this machine) and the backup.</summary>
    public DeploySteps Steps { get; } = new(config, target, local, log);

    /// <summary>This transaction as one host of a fleet: it waits for the others at the barrier's points, which run the hooks once for all.</summary>
    public DeployTransaction InFleet(IFleetBarrier barrier) => new(config, applier, target, local, log, envFile) { Fleet = barrier };

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
        await HooksAsync("pre-deploy", request, cancellation);
        if (request.Backup) await Steps.BackupAsync(cancellation);
        var uploads = new Dictionary<string, string>(request.Uploads);
        foreach (var (path, content) in applier.Uploads) uploads[path] = content;
        await UploadAsync(target, uploads, envFile, cancellation);

        var from = request.Versions.Keys.ToDictionary(k => k, k => records.Current.GetValueOrDefault(k));
        var after = new Dictionary<string, string>(records.Current);
        foreach (var (variable, version) in request.Versions) after[variable] = version;
        await applier.PrepareAsync(request, after, cancellation);
        if (Fleet is not null && !await Fleet.ReadyToChangeAsync(cancellation))
            throw new FleetStoppedException($"[{target.Target}] not changed: the fleet stopped before this host's turn");

        var running = await applier.RunningAsync(request.Services, cancellation);
        var journal = new DeployJournal(request.Action, request.Owner.Token, request.Owner.Signature, request.ServiceNames, from, request.Versions, running);
        await JournalAsync(journal, records, request.EnvironmentName, cancellation);
        try
        {
            // A migration runs once per deploy, however many hosts: before any of them starts a container of the new version;
            // a release command marked perHost runs on each host, before its own change.
            Task Release(bool perHost) => applier.ReleaseAsync(request.Services.Where(s => Fleet is null || s.Settings.Release?.PerHost == perHost).ToList(),
                after, request.Owner.Token, cancellation);
            if (Fleet is not null) await Fleet.OnceAsync("release", () => Release(perHost: false));
            await Release(perHost: true);
            await applier.ApplyAsync(request.Services, after, journal, cancellation);
        }
        catch (SshConnectionException lost)
        {
            throw Lost(lost, journal);
        }
        catch (LockLostException)
        {
            // Another run holds the lock and decides what runs: nothing here may be undone by this one.
            throw;
        }
        catch (Exception failure)
        {
            await UndoAsync(failure, request, journal, after, clock, cancellation);
            throw;
        }

        var (current, previous) = records.After(request.Versions);
        AuditEntry done;
        try
        {
            // Past the gate, an interruption no longer undoes anything: the records of the healthy release are written.
            await CommitAsync(current, previous, done = Audit(request, from, "succeeded", clock.Elapsed), CancellationToken.None);
        }
        catch (Exception failure) when (failure is CommandFailedException or CommandTimedOutException or SshConnectionException or OperationCanceledException)
        {
            throw Uncommitted(failure, journal, $"{Describe(request.Versions)} is healthy, but its records could not be written");
        }

        log.Information($"[{target.Target}] recorded {Describe(request.Versions)} in {VersionsFile.Current} and {AuditEntry.File}");
        if (Fleet is not null && await KeepInFleetAsync(cancellation) is { } why)
        {
            // The revert runs to its end within the undo's bound, whatever signal comes now.
            using var bound = new CancellationTokenSource(applier.UndoBound);
            await RevertAsync(request, records, journal, after, why, bound.Token);
            var message = $"[{target.Target}] updated, then put back to {Describe(journal.From)}: {why}";
            throw cancellation.IsCancellationRequested ? new DeployInterruptedException(message) : new FleetStoppedException(message);
        }

        // Post-deploy hooks run under the lock too: nothing changes the target meanwhile.
        await HooksAsync("post-deploy", request, cancellation);
        await held.ReleaseAsync();
        foreach (var warning in applier.Warnings) log.Warning(warning);
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
            await CommitAsync(null, null, journal.Finished(owner.Signature, environment), cancellation);
            return records with { Journal = null };
        }

        var back = journal.Back(records);
        log.Warning($"[{target.Target}] an unfinished {journal.Describe()} was found (that run ended before its records were committed): " +
                    $"putting back {Describe(back)}");
        var clock = Stopwatch.StartNew();
        string outcome;
        try
        {
            outcome = await applier.RepairAsync(journal, records.Current, cancellation);
        }
        catch (Exception failure) when (failure is ChangeNotSettledException or CommandFailedException or CommandTimedOutException)
        {
            // Not known what runs now: the journal stays for the next run.
            throw new DeployFailedException($"[{target.Target}] the unfinished {journal.Describe()} could not be undone ({FirstLine(failure)}); " +
                                            $"{DeployJournal.File} still records it: the next Deploy or Rollback tries again.");
        }

        await CommitAsync(null, null, journal.Undone(owner.Signature, environment, back, outcome, clock.Elapsed.TotalSeconds), cancellation);
        log.Information($"[{target.Target}] {outcome}: {Describe(back)}");
        if (outcome != "put back") throw new DeployFailedException($"[{target.Target}] the unfinished {journal.Describe()} was undone, {outcome}.");
        return records with { Journal = null };
    }

    private async Task UndoAsync(Exception failure, DeployRequest request, DeployJournal journal, IReadOnlyDictionary<string, string> after, Stopwatch clock,
        CancellationToken cancellation)
    {
        var interrupted = failure is OperationCanceledException && cancellation.IsCancellationRequested;
        // The undo runs to its end within a bound of its own, whatever signal comes now (a second one kills the process).
        using var bound = new CancellationTokenSource(applier.UndoBound);
        var undo = bound.Token;
        var reason = interrupted ? "interrupted" : FirstLine(failure);
        log.Error($"{reason}: putting back {Describe(journal.From)}");
        string outcome;
        try
        {
            outcome = await applier.UndoAsync(failure, request.Services, Restored(after, journal.From), journal, undo);
        }
        catch (SshConnectionException lost)
        {
            throw Lost(lost, journal);
        }
        catch (Exception again) when (again is ChangeNotSettledException or CommandFailedException or CommandTimedOutException or OperationCanceledException)
        {
            // What runs is not known: the journal stays, so the next run puts the recorded versions back.
            await target.TryRunAsync(RemoteFiles.Apply([FileChange.Append(AuditEntry.File, Audit(request, journal.From, $"failed: {reason}; rollback did not finish: {FirstLine(again)}", clock.Elapsed).ToJsonLine())], "audit"), undo);
            throw Uncommitted(again, journal, $"{request.Action} of {string.Join(", ", request.Services)} failed ({reason}) and putting back the previous versions did not finish");
        }

        // A release that never went live changes neither the current versions nor the rollback targets.
        try
        {
            await CommitAsync(null, null, Audit(request, journal.From, $"failed: {reason}; {outcome}", clock.Elapsed), undo);
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
    /// a journaled change of its own (the images are still here), and the records as they were.
    /// </summary>
    private async Task RevertAsync(DeployRequest request, ServerRecords before, DeployJournal applied, IReadOnlyDictionary<string, string> after, string why,
        CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var to = applied.From.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        log.Warning($"[{target.Target}] {why}: putting back {Describe(applied.From)}");
        var running = await applier.RunningAsync(request.Services, cancellation);
        var journal = new DeployJournal("revert", request.Owner.Token, request.Owner.Signature, request.ServiceNames,
            request.Versions.ToDictionary(v => v.Key, v => (string?)v.Value), to, running);
        await JournalAsync(journal, before with { Current = after }, request.EnvironmentName, cancellation);
        try
        {
            await applier.ApplyAsync(request.Services, Restored(after, applied.From), journal, cancellation);
            await CommitAsync(before.Current, before.Previous, Audit(request, journal.From, $"reverted: {why}", clock.Elapsed) with { Action = "revert", To = to }, cancellation);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            throw Uncommitted(failure, journal, $"putting back {Describe(applied.From)} after another host failed did not finish");
        }
    }

    /// <summary>
    /// Null when this updated host of a fleet stays updated; otherwise why it goes back: another host failed, or the run
    /// was interrupted (a fleet is never left half updated by Ctrl-C).
    /// </summary>
    private async Task<string?> KeepInFleetAsync(CancellationToken cancellation)
    {
        try
        {
            return await Fleet!.KeepAsync(cancellation) ? null : "another host of the fleet failed";
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return "the run was interrupted before every host was updated";
        }
    }

    /// <summary>The user's hooks of a stage on this machine: for this target alone, or once for the whole fleet while every host is locked.</summary>
    private Task HooksAsync(string stage, DeployRequest request, CancellationToken cancellation) => Fleet is not null
        ? Fleet.HooksAsync(stage, cancellation)
        : Steps.HooksAsync(stage == "pre-deploy" ? config.Deploy.Hooks.PreDeploy : config.Deploy.Hooks.PostDeploy, stage, request, [target.Target], cancellation);

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

    private Exception Lost(SshConnectionException lost, DeployJournal journal) => new DeployFailedException(
        $"{lost.Message}\nThe server may now run {Describe(journal.To)} unverified; {DeployJournal.File} records the change. " +
        $"The server puts back {Describe(journal.From)} by itself within {config.Deploy.LostClientSeconds}s of losing this run (deploy.lostClientSeconds), " +
        "and releases the lock; if it could not, the next Deploy or Rollback does (see --target=Status).");

    /// <summary>The target is settled but the records could not be committed (full disk, lost answer): the journal still says so.</summary>
    private static Exception Uncommitted(Exception failure, DeployJournal journal, string what) => new DeployFailedException(
        $"{what} ({FirstLine(failure)}). {DeployJournal.File} still records the change: the next Deploy or Rollback puts back " +
        $"what versions.env names ({Describe(journal.From)}) and records it.");

    /// <summary>
    /// Writes the journal of a change, and with it its repair (the applier's way back to <paramref name="records"/>, on
    /// copies of the files it needs, so that it survives a changed tree) and the records commit of an undone change: what
    /// the server's supervisor runs if this run's client is lost meanwhile; the next run runs the repair first.
    /// </summary>
    private async Task JournalAsync(DeployJournal journal, ServerRecords records, string environment, CancellationToken cancellation)
    {
        var repair = await applier.RepairOfAsync(journal, records.Current, cancellation);
        var undone = journal.Undone($"the server, for {journal.Who}", environment, journal.Back(records), "put back by the server after its client was lost", 0);
        var commit = RemoteFiles.Apply(Committed([FileChange.AppendStamped(AuditEntry.File, log.Redact(undone.ToJsonLine(FileChange.ServerTime)))]), "commit the records");
        await target.RunAsync(RemoteFiles.Apply([
            FileChange.Delete(DeployJournal.Copies),
            .. repair.Copies,
            FileChange.Write(DeployJournal.File, journal.Format()),
            FileChange.Write(LockCommands.RepairScript, repair.Command.ToShellLine() + "\n"),
            FileChange.Write(LockCommands.UndoneScript, commit.ToShellLine() + "\n"),
        ], "journal the change"), cancellation);
    }

    /// <summary>The records of a finished change, the audit line and the journal's removal, in one atomic sequence.</summary>
    private Task CommitAsync(IReadOnlyDictionary<string, string>? current, IReadOnlyDictionary<string, string>? previous, AuditEntry entry, CancellationToken cancellation)
    {
        var changes = new List<FileChange>();
        if (current is not null) changes.Add(FileChange.Write(VersionsFile.Current, VersionsFile.Format(current)));
        if (previous is not null) changes.Add(FileChange.Write(VersionsFile.Previous, VersionsFile.Format(previous, "each version's rollback target")));
        changes.Add(FileChange.Append(AuditEntry.File, entry.ToJsonLine()));
        return target.RunAsync(RemoteFiles.Apply(Committed(changes), "commit the records"), cancellation);
    }

    /// <summary><paramref name="changes"/>, then the removal of the change's journal and of what came with it: what ends every change.</summary>
    private static List<FileChange> Committed(List<FileChange> changes) =>
        [.. changes, FileChange.Delete(DeployJournal.File), FileChange.Delete(LockCommands.RepairScript), FileChange.Delete(LockCommands.UndoneScript), FileChange.Delete(DeployJournal.Copies)];

    /// <summary>
    /// A rollback without a version (<see cref="DeployRequest.ToPrevious"/>) goes to the target's own rollback targets,
    /// read under its lock: the hosts of a fleet may each have others. A dry run shows them as placeholders.
    /// </summary>
    private static DeployRequest RollbackTargetsOf(DeployRequest request, ServerRecords records, ICommandRunner server, IDeployLog log)
    {
        if (!request.ToPrevious || server.IsDryRun) return request;
        request = request with { Versions = records.RollbackTargets(request.Versions.Keys, server.Target), ToPrevious = false };
        log.Information($"[{server.Target}] rolling back to {Describe(request.Versions)}");
        return request;
    }

    /// <summary>The audit line of this run's change; its result (failure reasons quote servers' output) masked by the log's redaction.</summary>
    private AuditEntry Audit(DeployRequest request, IReadOnlyDictionary<string, string?> from, string result, TimeSpan elapsed) =>
        new(request.Action, request.Owner.Signature, DateTimeOffset.UtcNow, request.EnvironmentName, request.ServiceNames, from,
            request.Versions, log.Redact(result), elapsed.TotalSeconds);

    internal static string Describe<T>(IReadOnlyDictionary<string, T> versions) =>
        string.Join(", ", versions.Select(v => $"{v.Key}={(v.Value is null ? "(compose default)" : v.Value.ToString())}"));

    private static string FirstLine(Exception error) => error.Message.Split('\n')[0];
}
