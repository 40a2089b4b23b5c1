namespace Octavios.Deploy.Records;

/// <summary>One line of the server's audit log (.octavios/audit.log): one JSON object per deploy or rollback.</summary>
public sealed record AuditEntry(
    string Action,
    string Who,
    DateTimeOffset When,
    string Environment,
    IReadOnlyList<string> Services,
    IReadOnlyDictionary<string, string?> From,
    IReadOnlyDictionary<string, string> To,
    string Result,
    double DurationSeconds)
{
    public const string File = ".octavios/audit.log";

    /// <summary>The line; <paramref name="when"/> stands in for the time where the server writes it (<see cref="Commands.FileChange.ServerTime"/>).</summary>
    public string ToJsonLine(string? when = null) => JsonText.Object(w =>
    {
        w.WriteString("action", Action);
        w.WriteString("who", Who);
        w.WriteString("when", when ?? When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        w.WriteString("environment", Environment);
        w.WriteStartArray("services");
        foreach (var service in Services) w.WriteStringValue(service);
        w.WriteEndArray();
        w.WriteStartObject("from");
        foreach (var (variable, version) in From) w.WriteString(variable, version);
        w.WriteEndObject();
        w.WriteStartObject("to");
        foreach (var (variable, version) in To) w.WriteString(variable, version);
        w.WriteEndObject();
        w.WriteString("result", Result);
        w.WriteNumber("duration_s", Math.Round(DurationSeconds, 1));
    }) + "\n";
}
