using System.Text.RegularExpressions;

namespace Octavios.Deploy.EnvFiles;

/// <summary>Which variables hold secrets: the configured ones, and any whose name says so; and which values to mask.</summary>
public static partial class SecretNames
{
    public static bool IsSecret(string name, IEnumerable<string> configured) =>
        configured.Contains(name, StringComparer.Ordinal) || Pattern().IsMatch(name);

    /// <summary>
    /// What of a variable must never be printed: the whole value of a secret, of a variable named like a credential
    /// (broader than <see cref="IsSecret"/>: DB_PASS, SENTRY_DSN, *AUTH*) or of a value that looks random (16 or more
    /// characters of letters and digits with high entropy); and the user information of any URL in it.
    /// </summary>
    public static IEnumerable<string> ValuesToMask(string name, string value, IEnumerable<string> configured)
    {
        if (value.Length == 0) yield break;
        if (IsSecret(name, configured) || CredentialName().IsMatch(name) || LooksRandom(value)) yield return value;
        if (!value.Contains("://", StringComparison.Ordinal)) yield break;
        foreach (Match url in UrlUserInfo().Matches(value))
        {
            yield return url.Groups[1].Value;
            if (url.Groups[1].Value.Split(':', 2) is [_, { Length: > 0 } password]) yield return password;
        }
    }

    /// <summary>16+ characters, letters and digits both, no spaces, about 3.5 bits of entropy a character or more.</summary>
    public static bool LooksRandom(string value)
    {
        if (value.Length is < 16 or > 4096 || value.Contains("://", StringComparison.Ordinal)) return false;
        Span<int> counts = stackalloc int[128];
        var (digit, letter) = (false, false);
        foreach (var c in value)
        {
            if (c > 127 || char.IsWhiteSpace(c)) return false;
            counts[c]++;
            digit |= char.IsAsciiDigit(c);
            letter |= char.IsAsciiLetter(c);
        }

        if (!digit || !letter) return false;
        // Shannon entropy = (n·log2 n − Σ c·log2 c) / n, from a table: Math.Log2 per character made a 200,000-variable file's check take 0.4 s.
        var sum = 0.0;
        foreach (var c in value)
        {
            sum += CountTimesLog2[counts[c]];
            counts[c] = 0;
        }

        return (CountTimesLog2[value.Length] - sum) / value.Length >= 3.5;
    }

    private static readonly double[] CountTimesLog2 = Enumerable.Range(0, 4097).Select(c => c == 0 ? 0 : c * Math.Log2(c)).ToArray();

    [GeneratedRegex("(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|_KEY$)", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    [GeneratedRegex("(PASS|DSN|CREDENTIAL|AUTH|SECRET|TOKEN|KEY|PRIVATE|CERT)", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialName();

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.-]*://([^/@\s]+)@")]
    private static partial Regex UrlUserInfo();
}
