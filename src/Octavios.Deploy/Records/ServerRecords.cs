using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Records;

/// <summary>
/// What a server's .octavios/ says, read in one round trip: the versions it runs, each variable's rollback target
/// (the version it ran before its last successful change) and an unfinished change, if any.
/// </summary>
public sealed record ServerRecords(
    IReadOnlyDictionary<string, string> Current,
    IReadOnlyDictionary<string, string> Previous,
    DeployJournal? Journal)
{
    private const string Marker = "--- octavios:";

    public static Command Read() => RemoteFiles.ReadAll(Marker, VersionsFile.Current, VersionsFile.Previous, DeployJournal.File);

    public static ServerRecords Parse(string output)
    {
        var files = new Dictionary<string, System.Text.StringBuilder>();
        System.Text.StringBuilder? current = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal)) files[line[Marker.Length..].Trim()] = current = new System.Text.StringBuilder();
            else current?.Append(line).Append('\n');
        }

        string Text(string path) => files.TryGetValue(path, out var text) ? text.ToString() : "";
        return new ServerRecords(VersionsFile.Parse(Text(VersionsFile.Current)), VersionsFile.Parse(Text(VersionsFile.Previous)),
            DeployJournal.Parse(Text(DeployJournal.File)));
    }

    /// <summary>
    /// A rollback's versions on this server: each variable's own rollback target, read under the lock (the hosts of a
    /// fleet may each have another). Fails, before anything changes, when one has none.
    /// </summary>
    public IReadOnlyDictionary<string, string> RollbackTargets(IEnumerable<string> variables, string server)
    {
        var missing = variables.Where(v => !Previous.ContainsKey(v)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"[{server}] no previous version is recorded for {string.Join(", ", missing)}: give one with --version=X.Y.Z.");
        return variables.ToDictionary(v => v, v => Previous[v]);
    }

    /// <summary>
    /// The records after a successful change to <paramref name="to"/>: a variable whose version changed keeps the one
    /// it ran before as its rollback target; others (other services, a redeploy of the same version) keep theirs.
    /// </summary>
    public (Dictionary<string, string> Current, Dictionary<string, string> Previous) After(IReadOnlyDictionary<string, string> to)
    {
        var current = new Dictionary<string, string>(Current);
        var previous = new Dictionary<string, string>(Previous);
        foreach (var (variable, version) in to)
        {
            if (Current.TryGetValue(variable, out var before) && before != version) previous[variable] = before;
            current[variable] = version;
        }

        return (current, previous);
    }
}
