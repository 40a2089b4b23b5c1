namespace Octavios.Deploy.Records;

/// <summary>
/// A change in progress on a server (.octavios/journal.env), written before any container changes and removed in the
/// same step that commits the records. A run that finds one finishes or undoes that change before anything else.
/// </summary>
public sealed record DeployJournal(
    string Action,
    string Token,
    string Who,
    IReadOnlyList<string> Services,
    IReadOnlyDictionary<string, string?> From,
    IReadOnlyDictionary<string, string> To,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Keep = null)
{
    /// <summary>The containers each Compose service ran before the change: what an undo keeps.</summary>
    public IReadOnlyCollection<string> KeptOf(string composeService) => Keep?.GetValueOrDefault(composeService) ?? [];

    public const string File = ".octavios/journal.env";

    /// <summary>The server's copies of the files the change used (compose files, env file), which its repair runs on.</summary>
    public const string Copies = ".octavios/journal.files";

    public string Format() =>
        "# written by Octavios.Build: a change in progress; the next run finishes or undoes it\n" +
        $"action={Action}\ntoken={Token}\nwho={Who}\nservices={string.Join(' ', Services)}\n" +
        string.Concat(From.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"from.{f.Key}={f.Value}\n")) +
        string.Concat(To.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"to.{t.Key}={t.Value}\n")) +
        string.Concat((Keep ?? new Dictionary<string, IReadOnlyList<string>>()).OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"keep.{k.Key}={string.Join(',', k.Value)}\n"));

    /// <summary>Null for an empty file; a journal that cannot be read is reported rather than ignored.</summary>
    public static DeployJournal? Parse(string text)
    {
        if (text.Trim().Length == 0) return null;
        var fields = VersionsFile.Parse(text);
        if (!fields.TryGetValue("action", out var action) || !fields.TryGetValue("services", out var services))
            throw new InvalidOperationException($"{File} on the server cannot be read (damaged or truncated): check the services it may name by hand, then remove it.");
        return new DeployJournal(action, fields.GetValueOrDefault("token", ""), fields.GetValueOrDefault("who", "?"),
            services.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            fields.Where(f => f.Key.StartsWith("from.", StringComparison.Ordinal)).ToDictionary(f => f.Key[5..], f => f.Value.Length == 0 ? null : f.Value),
            fields.Where(f => f.Key.StartsWith("to.", StringComparison.Ordinal)).ToDictionary(f => f.Key[3..], f => f.Value),
            fields.Where(f => f.Key.StartsWith("keep.", StringComparison.Ordinal))
                .ToDictionary(f => f.Key[5..], f => (IReadOnlyList<string>)f.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>
    /// Whether the records already name every version the change went to, and it changed one: it was committed, only its
    /// journal was left. A change to the versions that ran already (a redeploy) cannot be told committed by the records:
    /// it is undone, back to the containers it kept.
    /// </summary>
    public bool IsCommittedIn(ServerRecords records) =>
        To.Any(t => From.GetValueOrDefault(t.Key) != t.Value) && To.All(t => records.Current.GetValueOrDefault(t.Key) == t.Value);

    /// <summary>The audit line of a later run that found this change committed and removed its journal.</summary>
    public AuditEntry Finished(string who, string environment) =>
        new("reconcile", who, DateTimeOffset.UtcNow, environment, Services, From, To, $"committed: the {Action} by {Who} was recorded; its journal was left and is removed", 0);

    /// <summary>What undoing the change puts back: the version the records name for each variable it touched.</summary>
    public Dictionary<string, string?> Back(ServerRecords records) => To.Keys.ToDictionary(k => k, k => records.Current.GetValueOrDefault(k));

    /// <summary>The audit line of a later run that undid this change.</summary>
    public AuditEntry Undone(string who, string environment, IReadOnlyDictionary<string, string?> back, string outcome, double seconds) =>
        new("reconcile", who, DateTimeOffset.UtcNow, environment, Services, To.ToDictionary(t => t.Key, t => (string?)t.Value),
            back.Where(b => b.Value is not null).ToDictionary(b => b.Key, b => b.Value!), $"{outcome}: the unfinished {Action} by {Who} was undone", seconds);

    public string Describe() => $"{Action} of {string.Join(", ", Services)} to {string.Join(", ", To.Select(t => $"{t.Key}={t.Value}"))} by {Who}";
}
