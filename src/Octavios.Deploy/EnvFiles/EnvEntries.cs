using System.Text.RegularExpressions;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// An env file cut into entries, each variable's assignment as written (its line, and the lines after it up to the next
/// assignment, blank line or comment), hashed: two files are compared variable by variable without a value leaving
/// either side. <see cref="Commands.RemoteFiles.EntryHashes"/> cuts and hashes the server's file the same way.
/// </summary>
public static partial class EnvEntries
{
    /// <summary>Name → the short hash of its last entry.</summary>
    public static IReadOnlyDictionary<string, string> Hashes(string text)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var raw = new System.Text.StringBuilder();
        void Close()
        {
            if (name is not null) hashes[name] = LoadedEnvFile.ShortHash(raw.ToString());
            (name, raw.Length) = (null, 0);
        }

        var lines = text.Split('\n');
        // A last line break ends the last line; it does not start another.
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            var line = lines[i];
            if (Start().Match(line) is { Success: true } start)
            {
                Close();
                name = start.Groups[1].Value;
            }
            else if (Skipped().IsMatch(line))
            {
                Close();
                continue;
            }

            if (name is not null) raw.Append(line).Append('\n');
        }

        Close();
        return hashes;
    }

    /// <summary>The awk expression of a line that starts an entry; <see cref="Start"/> is the same pattern.</summary>
    public const string StartPattern = "^[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*[=:]";

    /// <summary>A blank or comment line: it ends an entry.</summary>
    public const string SkippedPattern = "^[ \t]*(#|$)";

    [GeneratedRegex(@"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:]")]
    private static partial Regex Start();

    [GeneratedRegex(@"^[ \t]*(#|$)")]
    private static partial Regex Skipped();
}
