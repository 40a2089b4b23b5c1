using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Remote;

namespace Octavios.Build.Tests.Support;

/// <summary>How a command of the sequence fails when the injection point is reached.</summary>
public enum Fault
{
    /// <summary>The command exits non-zero without running.</summary>
    Fails,

    /// <summary>The command runs, then the connection is lost: its answer and every later command are lost.</summary>
    ConnectionLost,

    /// <summary>The command hangs until its timeout and is killed without effect.</summary>
    TimesOut,

    /// <summary>SIGINT/SIGTERM arrives as the command is about to run: the run's cancellation token fires.</summary>
    Interrupted,

    /// <summary>
    /// The run freezes as the command is about to run (a closed laptop lid, SIGSTOP) for longer than the lock's stale
    /// time: another run takes the lock over meanwhile; then the run resumes and sends the command.
    /// </summary>
    FrozenPastTakeover,
}

/// <summary>
/// Runs commands through a real runner and records each one by title (heartbeats apart, which run on their own clock);
/// optionally injects a fault at the n-th occurrence of a title, so a deploy's failure paths are exercised command by command.
/// </summary>
public sealed class RecordingRunner(ICommandRunner inner, (string Title, int Occurrence, Fault Fault)? injection = null,
    CancellationTokenSource? interruption = null, Func<Task>? takeover = null) : ICommandRunner
{
    public const string Heartbeat = "deploy lock heartbeat";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _seen = new();
    private bool _lost;

    public List<string> Titles { get; } = [];

    public bool Injected { get; private set; }

    public string Target => inner.Target;

    public bool IsDryRun => inner.IsDryRun;

    public async Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default)
    {
        var title = command.Title ?? command.Program;
        Fault? fault = null;
        lock (_gate)
        {
            if (_lost) throw new SshConnectionException($"[{Target}] the SSH connection was lost during {title}: (injected)");
            if (title != Heartbeat)
            {
                Titles.Add(title);
                var count = _seen[title] = _seen.GetValueOrDefault(title) + 1;
                if (injection is { } at && at.Title == title && at.Occurrence == count)
                {
                    fault = at.Fault;
                    Injected = true;
                }
            }
        }

        switch (fault)
        {
            case Fault.Fails:
                return new CommandResult(1, "", "injected failure");
            case Fault.TimesOut:
                throw new CommandTimedOutException(Target, command, command.Timeout ?? Command.DefaultTimeout);
            case Fault.Interrupted:
                await interruption!.CancelAsync();
                cancellation.ThrowIfCancellationRequested();
                break;
            case Fault.FrozenPastTakeover:
                await takeover!();
                break;
            case Fault.ConnectionLost:
                await inner.TryRunAsync(command, CancellationToken.None);
                lock (_gate) _lost = true;
                throw new SshConnectionException($"[{Target}] the SSH connection was lost during {title}: (injected)");
        }

        return await inner.TryRunAsync(command, cancellation);
    }
}
