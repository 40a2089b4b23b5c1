using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Records;

/// <summary>The run's deploy lock was taken over by another run: this run stopped before <see cref="NotRun"/>, and changes nothing more.</summary>
public sealed class LockLostException(string target, string notRun) : Exception(
    $"[{target}] the deploy lock is no longer this run's (another run took it over while this one was stopped or cut off): " +
    $"'{notRun}' was not run, and this run changes nothing more on the server. The run holding the lock now decides what runs; " +
    "see --target=Status.")
{
    public string NotRun { get; } = notRun;
}

/// <summary>
/// A target on which every command but the lock's own runs only while the run's lock (<paramref name="token"/>) holds
/// (<see cref="LockCommands.Fence"/>); a refused command throws <see cref="LockLostException"/>. A dry run is not fenced.
/// </summary>
public sealed class FencedRunner(ICommandRunner inner, string token) : ICommandRunner
{
    public string Target => inner.Target;

    public bool IsDryRun => inner.IsDryRun;

    public Task<IAsyncDisposable?> SuperviseAsync(Func<string, Command> supervisor, CancellationToken cancellation = default) =>
        inner.SuperviseAsync(supervisor, cancellation);

    public async Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default)
    {
        if (inner.IsDryRun || command.IsLockCommand || !command.NeedsProjectDirectory) return await inner.TryRunAsync(command, cancellation);
        CommandResult result;
        try
        {
            result = await inner.TryRunAsync(LockCommands.Fence(token, command), cancellation);
        }
        catch (CommandTimedOutException)
        {
            // Said of the step the user knows, not of the guard around it.
            throw new CommandTimedOutException(Target, command, command.Timeout ?? Command.DefaultTimeout);
        }

        return result.ExitCode == LockCommands.Fenced && result.StandardError.Contains(LockCommands.FenceRefusal, StringComparison.Ordinal)
            ? throw new LockLostException(Target, command.Title ?? command.Program)
            : result;
    }
}
