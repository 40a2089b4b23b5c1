using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Octavios.Deploy.EnvFiles;

namespace Octavios.Deploy.Output;

/// <summary>
/// The masking rules of every output path (console, log excerpts, reports, step summaries, CI outputs, the audit log):
/// each known secret value in every form it is printed in (whole, each line of a multi-line value, its line breaks
/// written as <c>\n</c>, JSON-escaped), the user information of any URL, the value after a name that says it is a
/// credential (<c>DB_PASSWORD=…</c>, <c>"api_key": "…"</c>), and tokens that look random. Each becomes ***.
/// </summary>
public sealed partial class SecretMasker
{
    /// <summary>A line of a multi-line secret shorter than this is not masked alone: it would mask ordinary text.</summary>
    public const int MinimumLine = 8;

    private const string Masked = Commands.CommandArg.Mask;

    private static readonly JavaScriptEncoder[] JsonEncoders = [JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping];

    private readonly HashSet<string> _forms = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string[] _ordered = [];

    public void Add(string? secret)
    {
        // Very short values would mask ordinary words; Validate insists on long secrets anyway.
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
        var forms = new List<string> { secret };
        if (secret.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            forms.AddRange(secret.Split('\n').Select(l => l.Trim().TrimEnd('\r')).Where(l => l.Length >= MinimumLine));
            forms.Add(secret.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
        }

        foreach (var form in forms.ToArray())
        {
            foreach (var encoder in JsonEncoders) forms.Add(JsonEncodedText.Encode(form, encoder).Value);
        }

        lock (_gate)
        {
            var added = false;
            foreach (var form in forms) added |= _forms.Add(form);
            if (added) _ordered = _forms.OrderByDescending(s => s.Length).ToArray();
        }
    }

    /// <summary>Every rule: text bound for any output.</summary>
    public string Mask(string text)
    {
        text = MaskKnown(text);
        if (text.Contains("://", StringComparison.Ordinal)) text = UrlUserInfo().Replace(text, m => m.Groups[1].Value + Masked + "@");
        text = NamedCredential().Replace(text, m => m.Groups["value"].Value.StartsWith(Masked, StringComparison.Ordinal)
            ? m.Value
            : m.Value[..(m.Groups["value"].Index - m.Index)] + Masked);
        return RandomToken().Replace(text, m => LooksRandom(m.Value) ? Masked : m.Value);
    }

    /// <summary>Known values only: what a command's output is parsed from keeps its identifiers and digests.</summary>
    public string MaskKnown(string text)
    {
        var secrets = _ordered;
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Masked, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>
    /// A token in free text that looks like a key: 20 or more letters and digits, upper and lower case both, with the
    /// entropy of a random value. Hex alone never counts: digests, image and container IDs and commits are hex.
    /// </summary>
    public static bool LooksRandom(string token)
    {
        var (upper, lower, digit) = (false, false, false);
        foreach (var c in token)
        {
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            digit |= char.IsAsciiDigit(c);
        }

        return upper && lower && digit && !token.All(char.IsAsciiHexDigit) && SecretNames.LooksRandom(token.TrimEnd('='));
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s""'<>]+@")]
    private static partial Regex UrlUserInfo();

    /// <summary>NAME=value, NAME: value, "name": "value" where the name says credential; the value up to a space, quote or comma.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z0-9_]*(?:PASSWORD|PASSWD|PASSPHRASE|_PASS|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|_KEY|CREDENTIALS?|DSN)[A-Za-z0-9_]*[""']?[ \t]*[=:][ \t]*[""']?(?<value>[^\s""',;]{4,})",
        RegexOptions.IgnoreCase)]
    private static partial Regex NamedCredential();

    /// <summary>Base64 and letters-and-digits runs; an SSH key's fingerprint (SHA256:…) is public and stays.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9+/])(?<!SHA(?:256|512):)[A-Za-z0-9+/]{20,}={0,2}", RegexOptions.IgnoreCase)]
    private static partial Regex RandomToken();
}
