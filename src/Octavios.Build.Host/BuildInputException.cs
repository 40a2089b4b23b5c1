namespace Octavios.Build.Host;

/// <summary>Bad input from the user (arguments, configuration): reported without a stack trace, exit code <see cref="ExitCodes.BadInput"/>.</summary>
public class BuildInputException(string message) : Exception(message);

/// <summary>A command the user ran on a target (Exec) exited non-zero: the run exits with its code.</summary>
public class PassedThroughExitException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    /// <summary>SIGINT or SIGTERM: the run stopped after putting the target back in order (128 + SIGINT, as shells report).</summary>
    public const int Interrupted = 130;
}
