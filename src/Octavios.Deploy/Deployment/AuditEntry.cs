using System.Text.Json;

namespace Octavios.Deploy.Deployment;

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

    public string ToJsonLine() => JsonSerializer.Serialize(new
    {
        action = Action,
        who = Who,
        when = When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        environment = Environment,
        services = Services,
        from = From,
        to = To,
        result = Result,
        duration_s = Math.Round(DurationSeconds, 1),
    }) + "\n";
}
