using System.Security.Cryptography;
using System.Text;

namespace Octavios.Deploy.EnvFiles;

/// <summary>The variables of an environment's env file, and where they were read from.</summary>
public sealed record LoadedEnvFile(string Label, IReadOnlyList<EnvVariable> Variables)
{
    public string? this[string name] => Variables.LastOrDefault(v => v.Name == name)?.Value;

    /// <summary>The values to mask: those of the configured secrets and of every variable named like one.</summary>
    public IEnumerable<string> SecretValues(IEnumerable<string> configured) =>
        Variables.Where(v => SecretNames.IsSecret(v.Name, configured)).Select(v => v.Value);

    /// <summary>The first 12 hex digits of a value's SHA-256: enough to compare two values, nothing to recover one.</summary>
    public static string ShortHash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];
}
