namespace Octavios.Build.Host;

/// <summary>Bad input from the user (arguments, configuration): reported without a stack trace, exit code <see cref="ExitCodes.BadInput"/>.</summary>
public class BuildInputException(string message) : Exception(message);

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
}
