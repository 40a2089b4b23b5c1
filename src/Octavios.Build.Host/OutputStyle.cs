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

/// <summary>
/// Cake's console as the host hands it to Cake's log: without colours, its writes go through and its colour changes
/// (escape codes) do not; with colours (a terminal), each text is filtered before Cake colours it, so the output
/// guard can let colour sequences pass and still no escape sequence of a message's data reaches the terminal.
/// </summary>
public sealed class HostConsole(IConsole inner, bool colours, Func<string, string> filter) : IConsole
{
    public ConsoleColor ForegroundColor
    {
        get => inner.ForegroundColor;
        set
        {
            if (colours) inner.ForegroundColor = value;
        }
    }

    public ConsoleColor BackgroundColor
    {
        get => inner.BackgroundColor;
        set
        {
            if (colours) inner.BackgroundColor = value;
        }
    }

    public bool SupportAnsiEscapeCodes => colours && inner.SupportAnsiEscapeCodes;

    public void Write(string format, params object[] arg) => inner.Write("{0}", Text(format, arg));

    public void WriteLine(string format, params object[] arg) => inner.WriteLine("{0}", Text(format, arg));

    public void WriteError(string format, params object[] arg) => inner.WriteError("{0}", Text(format, arg));

    public void WriteErrorLine(string format, params object[] arg) => inner.WriteErrorLine("{0}", Text(format, arg));

    public void ResetColor()
    {
        if (colours) inner.ResetColor();
    }

    // Without colours the output guard does all of it, once.
    private string Text(string format, object[] arg)
    {
        var text = arg.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, arg);
        return colours ? filter(text) : text;
    }
}
