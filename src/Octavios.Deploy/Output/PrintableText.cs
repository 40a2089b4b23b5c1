using System.Globalization;
using System.Text;

namespace Octavios.Deploy.Output;

/// <summary>
/// Text that input cannot steer: control characters (C0, DEL, C1, ESC, Unicode line separators and bidi overrides)
/// written visibly as <c>\x1b</c>, <c>\r</c>, <c>\u2028</c>…, and no line that a CI runner would take for one of its
/// workflow commands (<c>::error::…</c>, <c>##[…</c>) unless the suite itself writes it.
/// </summary>
public static class PrintableText
{
    /// <summary>One value inside a message (a service name, an argument): line breaks escaped too.</summary>
    public static string Inline(string text) => Escape(text, keepLineBreaks: false);

    /// <summary>
    /// Whole lines for the console or a CI log: line breaks and tabs kept, every other control escaped, no line a
    /// workflow command. <paramref name="colours"/>: on a terminal, colour sequences (ESC [ digits m) pass.
    /// </summary>
    public static string Lines(string text, bool colours = false) => DisarmCommands(Escape(text, keepLineBreaks: true, colours));

    public static string Escape(string text, bool keepLineBreaks, bool colours = false)
    {
        var first = FirstToEscape(text, keepLineBreaks);
        if (first < 0) return text;
        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!NeedsEscape(c, keepLineBreaks))
            {
                escaped.Append(c);
                continue;
            }

            if (colours && c == '\u001b' && ColourLength(text, i) is > 0 and var length)
            {
                escaped.Append(text, i, length);
                i += length - 1;
                continue;
            }

            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < '\u0100' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }

        return escaped.ToString();
    }

    /// <summary>
    /// A line whose first non-blank characters are <c>::</c> or <c>##[</c> is a command to GitHub's runner (and Azure's):
    /// its first character is escaped so it is shown, never run.
    /// </summary>
    public static string DisarmCommands(string text)
    {
        if (!text.Contains("::", StringComparison.Ordinal) && !text.Contains("##[", StringComparison.Ordinal)) return text;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var start = lines[i].AsSpan().TrimStart();
            if (start.StartsWith("::") || start.StartsWith("##["))
            {
                var at = lines[i].Length - start.Length;
                lines[i] = string.Concat(lines[i].AsSpan(0, at), "\\", lines[i].AsSpan(at));
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>The length of an SGR sequence (ESC [ digits and semicolons m) at <paramref name="at"/>, or 0.</summary>
    private static int ColourLength(string text, int at)
    {
        if (at + 2 >= text.Length || text[at + 1] != '[') return 0;
        for (var j = at + 2; j < text.Length; j++)
        {
            if (text[j] == 'm') return j - at + 1;
            if (!char.IsAsciiDigit(text[j]) && text[j] != ';') return 0;
        }

        return 0;
    }

    private static int FirstToEscape(string text, bool keepLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (NeedsEscape(text[i], keepLineBreaks)) return i;
        }

        return -1;
    }

    private static bool NeedsEscape(char c, bool keepLineBreaks) => c switch
    {
        '\n' or '\t' => !keepLineBreaks,
        < ' ' or '\u007f' => true,
        >= '\u0080' and <= '\u009f' => true,
        '\u2028' or '\u2029' => true,
        >= '\u202a' and <= '\u202e' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };
}
