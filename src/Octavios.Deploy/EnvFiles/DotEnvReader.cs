using System.Text;

namespace Octavios.Deploy.EnvFiles;

/// <summary>One variable an env file defines, with the line it starts on.</summary>
public sealed record EnvVariable(string Name, string Value, int Line);

/// <summary>
/// An env file Compose would refuse: the file, line, column, the variable (once its name is read) and the rule broken;
/// never the text of a value, which may be a secret (its length at most).
/// </summary>
public sealed class EnvFileSyntaxException(string file, int line, int column, string? variable, string rule)
    : DeployInputException($"{file}:{line}:{column}: {(variable is null ? "" : variable + ": ")}{rule}")
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>Whose rules an env file is read with: the Compose that will run reads it.</summary>
public enum DotEnvRules
{
    /// <summary>Compose v2 (compose-go): <c>$VAR</c> and every <c>${VAR…}</c> form expand, single quotes are literal.</summary>
    ComposeV2,

    /// <summary>
    /// Compose v1.29 (python-dotenv 0.21, measured against the docker-compose here): only <c>${VAR}</c> and
    /// <c>${VAR:-default}</c> expand, in single quotes too; a bare <c>$VAR</c> stays as written; a comment starts at any
    /// whitespace before '#'; earlier lines win over the process environment.
    /// </summary>
    ComposeV1,
}

/// <summary>
/// Reads .env files as Docker Compose reads them (v2 by default: compose-go's dotenv rules), never through a shell:
/// comments, <c>export</c>, <c>KEY=value</c> and <c>KEY: value</c>, unquoted values cut at " #",
/// single quotes literal, double quotes with escapes and expansion, multi-line quoted values, a bare
/// <c>KEY</c> inherited from the process environment. Written by hand: no .NET library follows these rules.
/// </summary>
public static partial class DotEnvReader
{
    public static IReadOnlyList<EnvVariable> ReadFile(string path, Func<string, string?> processEnvironment, DotEnvRules rules = DotEnvRules.ComposeV2) =>
        Parse(File.ReadAllText(path), path, processEnvironment, rules);

    public static IReadOnlyList<EnvVariable> Parse(string text, string file, Func<string, string?> processEnvironment, DotEnvRules rules = DotEnvRules.ComposeV2)
    {
        var values = new Dictionary<string, EnvVariable>(StringComparer.Ordinal);
        // compose-go expands with the process environment first, then earlier lines; python-dotenv the other way round.
        string? Lookup(string name) => rules == DotEnvRules.ComposeV2
            ? processEnvironment(name) ?? values.GetValueOrDefault(name)?.Value
            : values.GetValueOrDefault(name)?.Value ?? processEnvironment(name);
        var i = 0;
        var (line, counted) = (1, 0);
        while ((i = StatementStart(text, i)) < text.Length)
        {
            // Lines are counted from the previous statement on, never from the start: a large file reads in linear time.
            for (; counted < i; counted++)
            {
                if (text[counted] == '\n') line++;
            }

            var (key, afterKey, inherited) = KeyName(text, i, file, line, ColumnOf(text, i));
            if (inherited)
            {
                if (processEnvironment(key) is { } inheritedValue) values[key] = new EnvVariable(key, inheritedValue, line);
                i = afterKey;
                continue;
            }

            var (value, rest) = Value(text, afterKey, new ValueAt(file, line, ColumnOf(text, Math.Min(afterKey, text.Length)), key), Lookup, rules);
            values[key] = new EnvVariable(key, value, line);
            i = rest;
        }

        return values.Values.OrderBy(v => v.Line).ToList();
    }

    private static int StatementStart(string text, int i)
    {
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] == '#')
            {
                var newline = text.IndexOf('\n', i);
                i = newline < 0 ? text.Length : newline;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static (string Key, int Next, bool Inherited) KeyName(string text, int i, string file, int line, int column)
    {
        if (string.CompareOrdinal(text, i, "export", 0, 6) == 0 && i + 6 < text.Length && IsSpace(text[i + 6]))
        {
            i += 6;
            while (i < text.Length && IsSpace(text[i])) i++;
        }

        for (var j = i; j < text.Length; j++)
        {
            var c = text[j];
            if (IsSpace(c)) continue;
            if (c is '=' or ':' or '\n')
            {
                var key = CheckedKey(text[i..j], file, line, column);
                var rest = j + 1;
                while (c != '\n' && rest < text.Length && IsSpace(text[rest])) rest++;
                return (key, rest, c == '\n');
            }

            if (!(char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or '[' or ']'))
            {
                // Nothing of the line is shown: it may be a line of a multi-line secret written without quotes.
                throw new EnvFileSyntaxException(file, line, column + (j - i), null,
                    "a character a variable name cannot hold: expected NAME=value, the name of letters, digits, '_', '.', '-' " +
                    "(a multi-line value must be in double quotes)");
            }
        }

        // A name alone on the last line: inherited, like a name alone on any other line.
        return (CheckedKey(text[i..], file, line, column), text.Length, true);
    }

    private static string CheckedKey(string raw, string file, int line, int column)
    {
        var key = raw.Trim();
        if (key.Length == 0) throw new EnvFileSyntaxException(file, line, column, null, "expected a variable name before the '='");
        if (key.Any(IsSpace))
            throw new EnvFileSyntaxException(file, line, column + raw.IndexOf(key, StringComparison.Ordinal) + key.IndexOf(key.First(IsSpace)), null,
                "a variable name cannot hold a space (a multi-line value must be in double quotes)");
        return key;
    }

    /// <summary>The column (from 1) of a position on its line.</summary>
    private static int ColumnOf(string text, int index) => index - (index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1) + 1;

    /// <summary>Where a value starts, for its errors: they name the variable, never the value.</summary>
    private sealed record ValueAt(string File, int Line, int Column, string Variable)
    {
        public EnvFileSyntaxException Error(string rule) => new(File, Line, Column, Variable, rule);
    }

    private static (string Value, int Next) Value(string text, int i, ValueAt at, Func<string, string?> lookup, DotEnvRules rules)
    {
        if (i >= text.Length || text[i] is not ('"' or '\''))
        {
            var newline = text.IndexOf('\n', i);
            var end = newline < 0 ? text.Length : newline;
            var raw = text[i..end];
            if (rules == DotEnvRules.ComposeV1) return (ExpandV1(V1Comment().Replace(raw, "").TrimEnd(), lookup), end);
            var comment = raw.IndexOf(" #", StringComparison.Ordinal);
            if (comment >= 0) raw = raw[..comment];
            return (Expand(raw.TrimEnd(), at, lookup), end);
        }

        var quote = text[i];
        var chars = new StringBuilder();
        var escaped = false;
        for (var j = i + 1; j < text.Length; j++)
        {
            var c = text[j];
            if (c != quote)
            {
                if (!escaped && c == '\\')
                {
                    escaped = true;
                    continue;
                }

                if (escaped)
                {
                    escaped = false;
                    chars.Append('\\');
                }

                chars.Append(c);
                continue;
            }

            if (escaped)
            {
                escaped = false;
                chars.Append(c);
                continue;
            }

            var value = chars.ToString();
            if (rules == DotEnvRules.ComposeV1) return (ExpandV1(UnescapeV1(value, quote), lookup), j + 1);
            return (quote == '"' ? Expand(Unescape(value), at, lookup) : value, j + 1);
        }

        throw at.Error($"a quoted value that never ends: expected a closing {quote} ({text.Length - i - 1} characters follow the opening one)");
    }

    private static string Expand(string value, ValueAt at, Func<string, string?> lookup)
    {
        if (!value.Contains('$')) return value;
        try
        {
            return Interpolation.Substitute(value, lookup);
        }
        catch (InterpolationException error)
        {
            throw at.Error($"{error.Rule}, in its value of {value.Length} characters");
        }
    }

    /// <summary>
    /// Double-quote escapes in compose-go's two passes: first \n \r \t \a \b \f \v \" \\ and \0NNN (octal),
    /// with \$ kept as a literal dollar; then a backslash before any character but '$' is dropped.
    /// </summary>
    private static string Unescape(string value)
    {
        var first = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i == value.Length - 1)
            {
                first.Append(value[i]);
                continue;
            }

            var next = value[i + 1];
            string? replacement = next switch
            {
                'n' => "\n", 'r' => "\r", 't' => "\t", 'a' => "\a", 'b' => "\b", 'f' => "\f", 'v' => "\v",
                '"' => "\"", '\\' => "\\", '$' => "$$",
                '0' when IsOctal(value, i + 2, 3) => ((char)Convert.ToInt32(value.Substring(i + 2, 3), 8)).ToString(),
                _ => null,
            };
            if (replacement is null)
            {
                first.Append('\\');
                continue;
            }

            first.Append(replacement);
            i += next == '0' ? 4 : 1;
        }

        var second = new StringBuilder(first.Length);
        for (var i = 0; i < first.Length; i++)
        {
            if (first[i] == '\\' && i + 1 < first.Length && first[i + 1] != '$') i++;
            second.Append(first[i]);
        }

        return second.ToString();
    }

    /// <summary>python-dotenv's escapes: in double quotes \\ \' \" \a \b \f \n \r \t \v; in single quotes \\ and \' only.</summary>
    private static string UnescapeV1(string value, char quote) =>
        (quote == '"' ? V1DoubleEscape() : V1SingleEscape()).Replace(value, m => m.Value[1] switch
        {
            'a' => "\a", 'b' => "\b", 'f' => "\f", 'n' => "\n", 'r' => "\r", 't' => "\t", 'v' => "\v",
            var c => c.ToString(),
        });

    /// <summary>python-dotenv's expansion: <c>${NAME}</c> and <c>${NAME:-default}</c> (the default only when NAME is not set at all), anything else as written.</summary>
    private static string ExpandV1(string value, Func<string, string?> lookup) =>
        !value.Contains('$') ? value : V1Reference().Replace(value, m => lookup(m.Groups[1].Value) is { } found
            ? found
            : m.Groups[2].Success ? m.Groups[2].Value : "");

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+#.*")]
    private static partial System.Text.RegularExpressions.Regex V1Comment();

    [System.Text.RegularExpressions.GeneratedRegex(@"\\[\\'""abfnrtv]")]
    private static partial System.Text.RegularExpressions.Regex V1DoubleEscape();

    [System.Text.RegularExpressions.GeneratedRegex(@"\\[\\']")]
    private static partial System.Text.RegularExpressions.Regex V1SingleEscape();

    [System.Text.RegularExpressions.GeneratedRegex(@"\$\{([^}:]*)(?::-([^}]*))?\}")]
    private static partial System.Text.RegularExpressions.Regex V1Reference();

    private static bool IsOctal(string value, int start, int count) =>
        start + count <= value.Length && value.Substring(start, count).All(c => c is >= '0' and <= '7');

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r' or '\u0085' or '\u00A0';
}
