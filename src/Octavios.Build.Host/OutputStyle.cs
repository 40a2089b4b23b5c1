using Cake.Core;

namespace Octavios.Build.Host;

/// <summary>Colours and escapes only on a terminal: never with NO_COLOR, TERM=dumb, or output redirected to a file or a CI log.</summary>
public static class OutputStyle
{
    public static bool Colorful { get; } =
        !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";
}

/// <summary>Cake's console without colours: its writes go through, its colour changes (escape codes) do not.</summary>
public sealed class PlainConsole(IConsole inner) : IConsole
{
    public ConsoleColor ForegroundColor { get; set; }

    public ConsoleColor BackgroundColor { get; set; }

    public bool SupportAnsiEscapeCodes => false;

    public void Write(string format, params object[] arg) => inner.Write(format, arg);

    public void WriteLine(string format, params object[] arg) => inner.WriteLine(format, arg);

    public void WriteError(string format, params object[] arg) => inner.WriteError(format, arg);

    public void WriteErrorLine(string format, params object[] arg) => inner.WriteErrorLine(format, arg);

    public void ResetColor()
    {
    }
}
