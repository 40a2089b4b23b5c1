using System.Text;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// A <c>${...}</c> that Compose itself would refuse: malformed, or a required variable missing. <see cref="Rule"/> says
/// which rule without quoting the text (an env file's value may be a secret); the message quotes the reference.
/// </summary>
public sealed class InterpolationException(string message, string rule) : Exception(message)
{
    public string Rule { get; } = rule;
}

/// <summary>
/// Compose's variable substitution: <c>$$</c>, <c>$VAR</c>, <c>${VAR}</c> and the operators
/// <c>:-  -  :?  ?  :+  +</c>, with substitutions nested inside defaults. Written by hand: no .NET library
/// implements compose-go's template rules.
/// </summary>
public static class Interpolation
{
    /// <summary>Substitutes every reference; unset variables without a default become empty and are listed in <paramref name="missing"/>.</summary>
    public static string Substitute(string text, Func<string, string?> lookup, ICollection<string>? missing = null)
    {
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var dollar = text.IndexOf('$', i);
            if (dollar < 0 || dollar == text.Length - 1)
            {
                output.Append(text, i, text.Length - i);
                break;
            }

            output.Append(text, i, dollar - i);
            var next = text[dollar + 1];
            if (next == '$')
            {
                output.Append('$');
                i = dollar + 2;
            }
            else if (next == '{')
            {
                var close = ClosingBrace(text, dollar + 2)
                    ?? throw new InterpolationException($"invalid interpolation format: \"${{{text[(dollar + 2)..][..NameEnd(text[(dollar + 2)..])]}\" is missing '}}'",
                        "a '${' without its closing '}' (write $$ for a literal dollar)");
                output.Append(Braced(text[(dollar + 2)..close], lookup, missing));
                i = close + 1;
            }
            else if (IsNameStart(next))
            {
                var end = dollar + 2;
                while (end < text.Length && IsNameChar(text[end])) end++;
                output.Append(Value(text[(dollar + 1)..end], lookup, missing));
                i = end;
            }
            else
            {
                // "$(" , "$ " and friends are not references: Compose leaves them as they are.
                output.Append('$');
                i = dollar + 1;
            }
        }

        return output.ToString();
    }

    // Errors name the reference, never the text around it: that text may be a secret's value.
    private static string Braced(string body, Func<string, string?> lookup, ICollection<string>? missing)
    {
        var nameEnd = NameEnd(body);
        var name = body[..nameEnd];
        if (name.Length == 0 || !IsNameStart(name[0]))
            throw new InterpolationException($"invalid interpolation format: \"${{{body[..Math.Min(body.Length, nameEnd + 2)]}…}}\"", BadReference);
        if (nameEnd == body.Length) return Value(name, lookup, missing);

        var rest = body[nameEnd..];
        var colon = rest[0] == ':';
        var op = colon ? (rest.Length > 1 ? rest[1] : '\0') : rest[0];
        var argument = rest[(colon ? 2 : 1)..];
        if (op is not ('-' or '?' or '+'))
            throw new InterpolationException($"invalid interpolation format: \"${{{body[..Math.Min(body.Length, nameEnd + 2)]}…}}\"", BadReference);

        var value = lookup(name);
        var present = colon ? !string.IsNullOrEmpty(value) : value is not null;
        return op switch
        {
            '-' => present ? value! : Substitute(argument, lookup, missing),
            '+' => present ? Substitute(argument, lookup, missing) : "",
            _ => present ? value! : throw new InterpolationException(
                $"required variable {name} is missing a value" + (argument.Length > 0 ? $": {Substitute(argument, lookup, missing)}" : ""),
                $"a ${{NAME:?…}} reference whose variable is missing a value"),
        };
    }

    private const string BadReference = "a '${' not followed by a variable name and one of } :- - :? ? :+ + (write $$ for a literal dollar)";

    private static string Value(string name, Func<string, string?> lookup, ICollection<string>? missing)
    {
        var value = lookup(name);
        if (value is null) missing?.Add(name);
        return value ?? "";
    }

    private static int? ClosingBrace(string text, int start)
    {
        var depth = 1;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (text[i] == '}' && --depth == 0)
            {
                return i;
            }
        }

        return null;
    }

    private static int NameEnd(string body)
    {
        var end = 0;
        while (end < body.Length && IsNameChar(body[end])) end++;
        return end;
    }

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNameChar(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
