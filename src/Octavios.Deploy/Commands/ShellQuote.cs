using System.Text.RegularExpressions;

namespace Octavios.Deploy.Commands;

/// <summary>The one place a value becomes a POSIX shell word: anything not plainly safe is single-quoted.</summary>
public static partial class ShellQuote
{
    public static string Quote(string value)
    {
        if (value.Length > 0 && Safe().IsMatch(value)) return value;
        return "'" + value.Replace("'", "'\\''") + "'";
    }

    [GeneratedRegex(@"\A[A-Za-z0-9_@%+=:,./-]+\z")]
    private static partial Regex Safe();
}
