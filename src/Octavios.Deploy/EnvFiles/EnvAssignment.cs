namespace Octavios.Deploy.EnvFiles;

/// <summary>Writes a variable into env-file text so that both Compose versions read back exactly the value given.</summary>
public static class EnvAssignment
{
    /// <summary>
    /// <paramref name="text"/> with <c>NAME=value</c> appended: a later line wins in both Compose versions, so it
    /// overrides the file's own. The first of bare, single-quoted and double-quoted that both read back as the value is used.
    /// </summary>
    public static string Append(string text, string name, string value)
    {
        var line = Candidates(name, value).FirstOrDefault(candidate => ReadsBack(candidate, name, value))
                   ?? throw new EnvSourceException($"envSource.variables.{name} failed: its value cannot be written in an env file that Compose v1 and v2 both read as it is (its quotes and '$' read differently): change the value at its source.");
        return (text.Length == 0 || text.EndsWith('\n') ? text : text + "\n") + line + "\n";
    }

    private static IEnumerable<string> Candidates(string name, string value)
    {
        yield return $"{name}={value}";
        if (!value.Contains('\'')) yield return $"{name}='{value}'";
        var escaped = value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
        yield return $"{name}=\"{escaped}\"";
        // A '$' the readers would expand, escaped one way or the other: the read-back keeps whichever both honour.
        yield return $"{name}=\"{escaped.Replace("$", "\\$")}\"";
        yield return $"{name}=\"{escaped.Replace("$", "$$")}\"";
    }

    private static bool ReadsBack(string line, string name, string value)
    {
        try
        {
            return new[] { DotEnvRules.ComposeV2, DotEnvRules.ComposeV1 }
                .All(rules => DotEnvReader.Parse(line, name, _ => null, rules) is [var read] && read.Name == name && read.Value == value);
        }
        catch (EnvFileSyntaxException)
        {
            return false;
        }
    }
}
