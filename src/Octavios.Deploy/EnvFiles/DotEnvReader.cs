using System.Text;

namespace Octavios.Deploy.EnvFiles;

/// <summary>One variable an env file defines, with the line it starts on.</summary>
public sealed record EnvVariable(string Name, string Value, int Line);

/// <summary>An env file Compose would refuse, with the file, the line and what was expected.</summary>
public sealed class EnvFileSyntaxException(string file, int line, string problem)
    : DeployInputException($"{file}:{line}: {problem}")
{
    public int Line { get; } = line;
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

            var (key, afterKey, inherited) = KeyName(text, i, file, line);
            if (inherited)
            {
                if (processEnvironment(key) is { } inheritedValue) values[key] = new EnvVariable(key, inheritedValue, line);
                i = afterKey;
                continue;
            }

            var (value, rest) = Value(text, afterKey, file, line, Lookup, rules);
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

    private static (string Key, int Next, bool Inherited) KeyName(string text, int i, string file, int line)
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
                var key = CheckedKey(text[i..j], file, line);
                var rest = j + 1;
                while (c != '\n' && rest < text.Length && IsSpace(text[rest])) rest++;
                return (key, rest, c == '\n');
            }

            if (!(char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or '[' or ']'))
            {
                // Only the name is shown: the rest of the line may be a secret's value.
                var shown = text[i..(j + 1)];
                throw new EnvFileSyntaxException(file, line,
                    $"unexpected character '{c}' in variable name '{shown}': expected NAME=value with letters, digits, '_', '.', '-'");
            }
        }

        // A name alone on the last line: inherited, like a name alone on any other line.
        return (CheckedKey(text[i..], file, line), text.Length, true);
    }

    private static string CheckedKey(string raw, string file, int line)
    {
        var key = raw.Trim();
        if (key.Length == 0) throw new EnvFileSyntaxException(file, line, "expected a variable name before the '='");
        if (key.Any(IsSpace)) throw new EnvFileSyntaxException(file, line, $"variable name '{key}' contains a space");
        return key;
    }

    private static (string Value, int Next) Value(string text, int i, string file, int line, Func<string, string?> lookup, DotEnvRules rules)
    {
        if (i >= text.Length || text[i] is not ('"' or '\''))
        {
            var newline = text.IndexOf('\n', i);
            var end = newline < 0 ? text.Length : newline;
            var raw = text[i..end];
            if (rules == DotEnvRules.ComposeV1) return (ExpandV1(V1Comment().Replace(raw, "").TrimEnd(), lookup), end);
            var comment = raw.IndexOf(" #", StringComparison.Ordinal);
            if (comment >= 0) raw = raw[..comment];
            return (Expand(raw.TrimEnd(), file, line, lookup), end);
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
            return (quote == '"' ? Expand(Unescape(value), file, line, lookup) : value, j + 1);
        }

        throw new EnvFileSyntaxException(file, line, $"unterminated quoted value: expected a closing {quote}");
    }

    private static string Expand(string value, string file, int line, Func<string, string?> lookup)
    {
        if (!value.Contains('$')) return value;
        try
        {
            return Interpolation.Substitute(value, lookup);
        }
        catch (InterpolationException error)
        {
            throw new EnvFileSyntaxException(file, line, error.Message);
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
