using System.Text.Json;
using Octavios.Deploy.Deployment;

namespace Octavios.Deploy.Operations;

/// <summary>The server's audit log (.octavios/audit.log) as a table: what changed, when, by whom, with what result.</summary>
public sealed record DeployHistory(IReadOnlyList<JsonElement> Entries)
{
    /// <summary>Lines of the log, newest last; a damaged line is skipped, never fatal. Filtered to entries naming one of the services.</summary>
    public static DeployHistory Parse(string log, IReadOnlyCollection<string>? services = null)
    {
        var entries = new List<JsonElement>();
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var entry = document.RootElement.Clone();
                if (services is null || !entry.TryGetProperty("services", out var named) || named.EnumerateArray().Any(s => services.Contains(s.GetString() ?? "")))
                    entries.Add(entry);
            }
            catch (JsonException)
            {
            }
        }

        return new DeployHistory(entries);
    }

    public IEnumerable<string> TableLines()
    {
        yield return $"{"WHEN",-20}  {"ACTION",-9}  {"WHO",-20}  {"CHANGE",-40}  {"SECONDS",7}  RESULT";
        foreach (var e in Entries)
        {
            var change = string.Join(", ", Text(e, "to").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(t => t.Split('=')).Where(p => p.Length == 2)
                .Select(p => $"{p[0]} {Versions(e, "from").GetValueOrDefault(p[0]) ?? "-"} -> {p[1]}"));
            yield return $"{Text(e, "when"),-20}  {Text(e, "action"),-9}  {Text(e, "who"),-20}  {change,-40}  {Text(e, "duration_s"),7}  {Text(e, "result")}";
        }
    }

    public string Json() => JsonSerializer.Serialize(Entries, new JsonSerializerOptions { WriteIndented = true });

    private static Dictionary<string, string?> Versions(JsonElement entry, string key) =>
        entry.TryGetProperty(key, out var versions) && versions.ValueKind == JsonValueKind.Object
            ? versions.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null)
            : new Dictionary<string, string?>();

    private static string Text(JsonElement entry, string key) =>
        !entry.TryGetProperty(key, out var value) ? "" : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Object => string.Join(",", value.EnumerateObject().Select(p => $"{p.Name}={p.Value}")),
            _ => value.ToString(),
        };
}
