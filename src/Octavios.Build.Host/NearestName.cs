namespace Octavios.Build.Host;

/// <summary>"Did you mean …?": the known names closest to a mistyped one (a prefix either way, or two edits at most).</summary>
public static class NearestName
{
    public static IReadOnlyList<string> Of(string given, IEnumerable<string> names)
    {
        var scored = names
            .Select(n => (Name: n, Distance: n.StartsWith(given, StringComparison.OrdinalIgnoreCase) || given.StartsWith(n, StringComparison.OrdinalIgnoreCase)
                ? 0
                : Distance(given.ToLowerInvariant(), n.ToLowerInvariant())))
            .Where(s => s.Distance <= Math.Min(2, Math.Max(1, given.Length / 3)))
            .ToList();
        return scored.Count == 0 ? [] : scored.Where(s => s.Distance == scored.Min(x => x.Distance)).Select(s => s.Name).ToList();
    }

    /// <summary>Levenshtein distance with transpositions counted as one edit ("Deplyo" is one edit from "Deploy").</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }

        return d[a.Length, b.Length];
    }
}
