using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Execution;

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs command values on one deploy target: this machine, a server over SSH, or nowhere (dry run).</summary>
public interface ICommandRunner
{
    /// <summary>How the target is named in output: "local", or "user@host".</summary>
    string Target { get; }

    bool IsDryRun { get; }

    /// <summary>Runs the command and returns its result whatever its exit code.</summary>
    Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default);

    /// <summary>
    /// Runs a long command (a log follow), handing each line of its output (masked) to <paramref name="line"/> as it comes;
    /// cancelled, it stops the command on the target, its whole process group, and throws. Returns the exit code.
    /// Where no stream is to be had (a dry run), the lines come at the end.
    /// </summary>
    async Task<int> StreamAsync(Command command, Action<string> line, CancellationToken cancellation = default)
    {
        var result = await TryRunAsync(command, cancellation);
        foreach (var each in (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries)) line(each);
        return result.ExitCode;
    }

    /// <summary>
    /// Starts <paramref name="supervisor"/> (given the pid-file pattern of this runner's commands) on the target for as long
    /// as the result is not disposed, telling it every second that this client is alive; null where no connection can be
    /// lost (this machine, a dry run).
    /// </summary>
    Task<IAsyncDisposable?> SuperviseAsync(Func<string, Command> supervisor, CancellationToken cancellation = default) =>
        Task.FromResult<IAsyncDisposable?>(null);
}

public static class CommandRunnerExtensions
{
    /// <summary>Runs the command and throws <see cref="CommandFailedException"/> on a non-zero exit code.</summary>
    public static async Task<CommandResult> RunAsync(this ICommandRunner runner, Command command, CancellationToken cancellation = default)
    {
        var result = await runner.TryRunAsync(command, cancellation);
        return result.Succeeded ? result : throw new CommandFailedException(runner.Target, command, result);
    }
}

/// <summary>
/// A command exited non-zero. The first line says why (the last line it wrote), as every summary keeps only that line;
/// the next ones show the command with secrets masked and the end of its error output.
/// </summary>
public sealed class CommandFailedException(string target, Command command, CommandResult result) : Exception(Describe(target, command, result))
{
    public CommandResult Result { get; } = result;

    private static string Describe(string target, Command command, CommandResult result)
    {
        var output = (result.StandardError.Trim().Length > 0 ? result.StandardError : result.StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = output.Length > 0 ? output[^1] : "it wrote nothing";
        return $"[{target}] {command.Title ?? command.Program} failed with exit code {result.ExitCode}: {reason}\n  command: {command.Display()}" +
               (output.Length > 1 ? "\n" + string.Join('\n', output.TakeLast(20)) : "");
    }
}

/// <summary>A command ran past its timeout and was killed (on a server: its whole process group).</summary>
public sealed class CommandTimedOutException(string target, Command command, TimeSpan timeout) : Exception(
    $"[{target}] {command.Title ?? command.Program} did not finish within {timeout.TotalSeconds:0}s and was stopped: {command.Display()}");
