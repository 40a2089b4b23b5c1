namespace Octavios.Deploy.Records;

/// <summary>
/// The versions the server runs, one KEY=X.Y.Z a line (BACKEND_VERSION=0.2.3), kept in .octavios/versions.env, and each
/// variable's rollback target in .octavios/versions.previous.env; plain enough for a manual `set -a; . .octavios/versions.env`.
/// </summary>
public static class VersionsFile
{
    public const string Current = ".octavios/versions.env";
    public const string Previous = ".octavios/versions.previous.env";

    public static Dictionary<string, string> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#') && l.Contains('='))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    public static string Format(IReadOnlyDictionary<string, string> versions, string what = "the versions this server runs") =>
        $"# written by Octavios.Build: {what}\n" +
        string.Concat(versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}\n"));
}
