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

/// <summary>
/// Reads .env files as Docker Compose v2 does (compose-go's dotenv rules), never through a shell:
/// comments, <c>export</c>, <c>KEY=value</c> and <c>KEY: value</c>, unquoted values cut at " #",
/// single quotes literal, double quotes with escapes and expansion, multi-line quoted values, a bare
/// <c>KEY</c> inherited from the process environment. Written by hand: no .NET library follows these rules.
/// </summary>
public static class DotEnvReader
{
    public static IReadOnlyList<EnvVariable> ReadFile(string path, Func<string, string?> processEnvironment) =>
        Parse(File.ReadAllText(path), path, processEnvironment);

    public static IReadOnlyList<EnvVariable> Parse(string text, string file, Func<string, string?> processEnvironment)
    {
        var values = new Dictionary<string, EnvVariable>(StringComparer.Ordinal);
        // Expansion sees the process environment first, then what earlier lines defined (compose-go's order).
        string? Lookup(string name) => processEnvironment(name) ?? values.GetValueOrDefault(name)?.Value;
        var i = 0;
        while ((i = StatementStart(text, i)) < text.Length)
        {
            var line = LineAt(text, i);
            var (key, afterKey, inherited) = KeyName(text, i, file, line);
            if (inherited)
            {
                if (processEnvironment(key) is { } inheritedValue) values[key] = new EnvVariable(key, inheritedValue, line);
                i = afterKey;
                continue;
            }

            var (value, rest) = Value(text, afterKey, file, line, Lookup);
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

    private static (string Value, int Next) Value(string text, int i, string file, int line, Func<string, string?> lookup)
    {
        if (i >= text.Length || text[i] is not ('"' or '\''))
        {
            var newline = text.IndexOf('\n', i);
            var end = newline < 0 ? text.Length : newline;
            var raw = text[i..end];
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
            return (quote == '"' ? Expand(Unescape(value), file, line, lookup) : value, j + 1);
        }

        throw new EnvFileSyntaxException(file, line, $"unterminated quoted value: expected a closing {quote}");
    }

    private static string Expand(string value, string file, int line, Func<string, string?> lookup)
    {
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

    private static bool IsOctal(string value, int start, int count) =>
        start + count <= value.Length && value.Substring(start, count).All(c => c is >= '0' and <= '7');

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r' or '\u0085' or '\u00A0';

    private static int LineAt(string text, int index)
    {
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n') line++;
        }

        return line;
    }
}
