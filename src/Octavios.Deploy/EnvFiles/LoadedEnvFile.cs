using System.Security.Cryptography;
using System.Text;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// The variables of an environment's env file as the Compose that runs reads them (<see cref="Rules"/>), and where
/// they were read from; <see cref="OtherReading"/> is the file as the other Compose version reads it.
/// </summary>
public sealed record LoadedEnvFile(string Label, IReadOnlyList<EnvVariable> Variables, DotEnvRules Rules = DotEnvRules.ComposeV2,
    IReadOnlyList<EnvVariable>? OtherReading = null)
{
    /// <summary>
    /// Reads a file's text with the rules the target's Compose uses, and with the other Compose's too (its syntax errors
    /// aside); both readings are parsed while <paramref name="rules"/> is still being learned.
    /// </summary>
    public static async Task<LoadedEnvFile> ReadAsync(string label, string text, Func<string, string?> processEnvironment, Task<DotEnvRules> rules)
    {
        var v2 = Task.Run(() => DotEnvReader.Parse(text, label, processEnvironment, DotEnvRules.ComposeV2));
        // The two Compose versions read alike a file without '$', quotes, backslashes or tabs: one reading is enough.
        var v1 = text.AsSpan().IndexOfAny("$'\"\\\t") < 0 ? v2 : Task.Run(() => DotEnvReader.Parse(text, label, processEnvironment, DotEnvRules.ComposeV1));
        var chosen = await rules;
        var (reading, otherReading) = chosen == DotEnvRules.ComposeV2 ? (v2, v1) : (v1, v2);
        var variables = await reading;
        IReadOnlyList<EnvVariable>? other;
        try
        {
            other = await otherReading;
        }
        catch (EnvFileSyntaxException)
        {
            other = null;
        }

        return new LoadedEnvFile(label, variables, chosen, other);
    }

    public static LoadedEnvFile Read(string label, string text, Func<string, string?> processEnvironment, DotEnvRules rules) =>
        ReadAsync(label, text, processEnvironment, Task.FromResult(rules)).GetAwaiter().GetResult();

    public string? this[string name] => Variables.LastOrDefault(v => v.Name == name)?.Value;

    public string RulesName => Rules == DotEnvRules.ComposeV2 ? "Compose v2" : "Compose v1";

    /// <summary>Variables the other Compose version reads differently: their meaning changes the day the server's Compose does.</summary>
    public IReadOnlyList<string> ReadDifferently()
    {
        if (OtherReading is null || ReferenceEquals(OtherReading, Variables)) return [];
        var other = OtherReading.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.Last().Value);
        return Variables.Where(v => other.GetValueOrDefault(v.Name) != v.Value).Select(v => v.Name).Distinct().ToList();
    }

    /// <summary>The values to mask, in both readings: secrets, credentials by name or look, URL passwords.</summary>
    public IEnumerable<string> SecretValues(IEnumerable<string> configured) =>
        (ReferenceEquals(OtherReading, Variables) ? Variables : Variables.Concat(OtherReading ?? []))
            .SelectMany(v => SecretNames.ValuesToMask(v.Name, v.Value, configured)).Distinct();

    /// <summary>The first 12 hex digits of a value's SHA-256: enough to compare two values, nothing to recover one.</summary>
    public static string ShortHash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 6));
}
