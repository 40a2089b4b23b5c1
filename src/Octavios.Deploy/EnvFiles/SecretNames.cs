using System.Text.RegularExpressions;

namespace Octavios.Deploy.EnvFiles;

/// <summary>Which variables hold secrets: the configured ones, and any whose name says so.</summary>
public static partial class SecretNames
{
    public static bool IsSecret(string name, IEnumerable<string> configured) =>
        configured.Contains(name, StringComparer.Ordinal) || Pattern().IsMatch(name);

    [GeneratedRegex("(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|_KEY$)", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
