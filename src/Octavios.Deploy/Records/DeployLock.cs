using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Records;

/// <summary>Who holds the deploy lock, from which machine, since when, doing what; the token tells one holder from another.</summary>
public sealed record LockOwner(string Who, string Machine, DateTimeOffset Since, string What, string Token)
{
    /// <summary>Who, where: <c>user@machine</c>, as the audit log and the journal name a run.</summary>
    public string Signature => Who + "@" + Machine;

    public static LockOwner Create(string who, string machine, string what) =>
        new(who, machine, DateTimeOffset.UtcNow, what, Guid.NewGuid().ToString("N")[..16]);

    public string ToJson() => JsonText.Object(w =>
    {
        w.WriteString("who", Who);
        w.WriteString("machine", Machine);
        w.WriteString("since", Since.UtcDateTime.ToString("O"));
        w.WriteString("what", What);
        w.WriteString("token", Token);
    });

    public static LockOwner? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new LockOwner(root.GetProperty("who").GetString()!, root.GetProperty("machine").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("since").GetString()!, CultureInfo.InvariantCulture), root.GetProperty("what").GetString()!,
                root.TryGetProperty("token", out var token) ? token.GetString() ?? "" : "");
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public override string ToString() => $"{Who} on {Machine} since {Since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({What})";
}

/// <summary>What the server says of the lock: no lock, or its holder (possibly unreadable) and the age of its heartbeat.</summary>
public sealed record LockState(bool Held, string? Token, LockOwner? Owner, int? HeartbeatAgeSeconds, bool Rebooted = false)
{
    public static readonly LockState Free = new(false, null, null, null);

    /// <summary>Reads <see cref="LockCommands.Inspect"/>'s output: "token=…", "age=…", then the owner's JSON.</summary>
    public static LockState Parse(string output)
    {
        var lines = output.Split('\n');
        if (lines.Length == 0 || lines[0].Trim() == "free") return Free;
        string? token = null;
        int? age = null;
        var rebooted = false;
        var json = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("token=", StringComparison.Ordinal)) token = line[6..].Trim();
            else if (line.StartsWith("age=", StringComparison.Ordinal)) age = int.TryParse(line[4..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var a) ? a : null;
            else if (line.Trim() == "rebooted") rebooted = true;
            else json.Add(line);
        }

        return new LockState(true, token, LockOwner.Parse(string.Join('\n', json)), age, rebooted);
    }

    public string Describe() => Owner?.ToString() ?? "an owner that could not be read (an empty or damaged owner.json)";

    /// <summary>
    /// Its holder stopped beating: the deploy that took it is gone (killed, disconnected). A heartbeat from the future
    /// (the server's clock went back) proves nothing alive and counts as stale: a live holder that loses the lock so is
    /// fenced off, never two runs changing the server.
    /// </summary>
    public bool IsAbandoned(TimeSpan staleAfter) => Held && (Rebooted || HeartbeatAgeSeconds is null or < 0 || HeartbeatAgeSeconds > staleAfter.TotalSeconds);

    /// <summary>Why an abandoned lock is taken for dead, in words.</summary>
    public string Staleness => Rebooted ? "the server restarted since its last heartbeat"
        : HeartbeatAgeSeconds is < 0 ? $"its heartbeat is {-HeartbeatAgeSeconds} s in the future: the server's clock went back"
        : $"no heartbeat for {HeartbeatAgeSeconds?.ToString(CultureInfo.InvariantCulture) ?? "ever"} s";
}

public sealed class DeployLockedException(string message) : Exception(message);

/// <summary>
/// One deploy, rollback or prune at a time per server (<see cref="LockCommands"/>). A lock whose heartbeat is older
/// than <c>deploy.lockStaleSeconds</c> was left by a run that died and is taken over; only the holder (same token)
/// releases it.
/// </summary>
public sealed class DeployLock(ICommandRunner target, IDeployLog log)
{
    public async Task<LockState> InspectAsync(CancellationToken cancellation = default) =>
        LockState.Parse((await target.RunAsync(LockCommands.Inspect(), cancellation)).StandardOutput);

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="wait"/> for a live holder; an abandoned lock (no heartbeat for
    /// <paramref name="staleAfter"/>) is taken over and said so. <paramref name="thenRead"/>, a read-only command, runs
    /// in the same round trip once the lock is taken; its output is returned.
    /// </summary>
    public async Task<string> AcquireAsync(LockOwner owner, TimeSpan wait, TimeSpan staleAfter, string unlockHint, CancellationToken cancellation = default,
        Command? thenRead = null)
    {
        var clock = Stopwatch.StartNew();
        var take = LockCommands.Take(owner.Token, owner.ToJson());
        if (thenRead is not null) take = take.Then(thenRead);
        while (true)
        {
            CommandResult taken;
            try
            {
                taken = await target.TryRunAsync(take, cancellation);
            }
            catch (Remote.SshConnectionException lost)
            {
                throw new Remote.SshConnectionException($"{lost.Message}. The lock may have been taken before the answer was lost: " +
                                                        $"the next run takes it over once its heartbeat is {staleAfter.TotalSeconds:0} s old.", lost);
            }

            if (taken.Succeeded)
            {
                if (!target.IsDryRun) log.Verbose($"[{target.Target}] deploy lock taken");
                return taken.StandardOutput;
            }

            if (taken.ExitCode == RemoteProcess.NoProjectDirectory)
                throw new DeployLockedException($"[{target.Target}] {taken.StandardError.Trim().Replace("octavios: ", "")}: nothing was changed. Create it, with its env file, before the first deploy.");
            if (taken.ExitCode == LockCommands.CannotWrite)
                throw new DeployLockedException($"[{target.Target}] could not write the deploy lock in .octavios/ ({FirstLine(taken.StandardError) ?? "no reason given"}): " +
                                                "is the disk full or the directory read-only? Nothing was changed.");
            if (taken.ExitCode != LockCommands.Held) throw new CommandFailedException(target.Target, take, taken);

            var holder = await InspectAsync(cancellation);
            if (!holder.Held) continue;
            if (holder.Token is not null && holder.IsAbandoned(staleAfter))
            {
                log.Warning($"[{target.Target}] the deploy lock held by {holder.Describe()} was abandoned ({holder.Staleness}): taking it over");
                await target.TryRunAsync(LockCommands.Break(holder.Token), cancellation);
                continue;
            }

            if (holder.Token is null)
                throw new DeployLockedException(
                    $"[{target.Target}] an old-style deploy lock is held by {holder.Describe()}. If no deploy is running there, break it: {unlockHint}");
            if (clock.Elapsed >= wait)
                throw new DeployLockedException(
                    $"[{target.Target}] another deploy holds the lock: {holder.Describe()}, heartbeat {holder.HeartbeatAgeSeconds} s ago." +
                    (wait > TimeSpan.Zero ? $" Waited {wait.TotalSeconds:0}s." : " Wait for it with --lock-wait=SECONDS."));
            log.Information($"[{target.Target}] waiting for the deploy lock held by {holder.Describe()}");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellation);
        }
    }

    /// <summary>Beats every <paramref name="interval"/> until disposed; a lost lock is reported once.</summary>
    public IAsyncDisposable StartHeartbeat(string token, TimeSpan interval)
    {
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, stop.Token);
                    var beat = await target.TryRunAsync(LockCommands.Beat(token), stop.Token);
                    if (beat.ExitCode == LockCommands.Held)
                    {
                        log.Error($"[{target.Target}] the deploy lock is no longer this run's: someone broke it (--target=Unlock --force)");
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception error)
                {
                    log.Verbose($"[{target.Target}] heartbeat missed: {error.Message}");
                }
            }
        });
        return new Heartbeat(stop, loop);
    }

    public Task ReleaseAsync(string token, CancellationToken cancellation = default) => target.RunAsync(LockCommands.Release(token), cancellation);

    private static string? FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();

    private sealed class Heartbeat(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }
}

/// <summary>The deploy lock while a run holds it: heartbeat running, released once (by its holder only) when done.</summary>
public sealed class HeldLock : IAsyncDisposable
{
    private readonly DeployLock _lock;
    private readonly ICommandRunner _target;
    private readonly IDeployLog _log;
    private readonly string _token;
    private readonly string _unlockHint;
    private readonly IAsyncDisposable? _heartbeat;
    private readonly IAsyncDisposable? _supervisor;
    private readonly int _staleSeconds;
    private bool _released;

    private HeldLock(DeployLock deployLock, ICommandRunner target, IDeployLog log, string token, string unlockHint, IAsyncDisposable? heartbeat,
        IAsyncDisposable? supervisor, int staleSeconds, string read)
    {
        (_lock, _target, _log, _token, _unlockHint, _heartbeat, _supervisor, _staleSeconds, Read) =
            (deployLock, target, log, token, unlockHint, heartbeat, supervisor, staleSeconds, read);
    }

    /// <summary>What the <c>thenRead</c> command given to <see cref="TakeAsync"/> printed, under the lock.</summary>
    public string Read { get; }

    public static async Task<HeldLock> TakeAsync(ICommandRunner target, IDeployLog log, Configuration.DeployConfig settings, LockOwner owner,
        TimeSpan wait, string unlockHint, CancellationToken cancellation, Command? thenRead = null)
    {
        var deployLock = new DeployLock(target, log);
        var read = await deployLock.AcquireAsync(owner, wait, TimeSpan.FromSeconds(settings.LockStaleSeconds), unlockHint, cancellation, thenRead);
        var heartbeat = target.IsDryRun ? null : deployLock.StartHeartbeat(owner.Token, settings.LockHeartbeat);
        IAsyncDisposable? supervisor;
        try
        {
            supervisor = await target.SuperviseAsync(pids => LockCommands.Supervise(owner.Token, settings.LostClientSeconds, pids), cancellation);
        }
        catch
        {
            await new HeldLock(deployLock, target, log, owner.Token, unlockHint, heartbeat, null, settings.LockStaleSeconds, read).ReleaseAsync();
            throw;
        }

        return new HeldLock(deployLock, target, log, owner.Token, unlockHint, heartbeat, supervisor, settings.LockStaleSeconds, read);
    }

    /// <summary>Releases the lock once; a release that fails is reported with what frees it, never thrown: the work is done.</summary>
    public async Task ReleaseAsync()
    {
        if (_released) return;
        _released = true;
        if (_heartbeat is not null) await _heartbeat.DisposeAsync();
        try
        {
            await _lock.ReleaseAsync(_token);
        }
        catch (Exception error)
        {
            _log.Error($"The deploy lock on {_target.Target} could not be released ({error.Message.Split('\n')[0]}). " +
                       $"The server's supervisor releases it once it no longer hears this run, else the next deploy takes it over once its heartbeat is {_staleSeconds} s old; to break it at once: {_unlockHint}");
        }
        finally
        {
            if (_supervisor is not null) await _supervisor.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync();
}
