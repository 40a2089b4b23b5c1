using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Health;

/// <summary>Asks each service's health URL from the target itself (curl there) and checks status and JSON field.</summary>
public sealed class HttpHealthVerifier(ICommandRunner runner, IDeployLog log)
{
    /// <summary>Judges curl's output (body, then the status code on the last line); null when healthy, else why not.</summary>
    public static string? Judge(HealthConfig health, string curlOutput)
    {
        var cut = curlOutput.TrimEnd().LastIndexOf('\n');
        var body = cut < 0 ? "" : curlOutput[..cut];
        var status = curlOutput[(cut + 1)..].Trim();
        if (status != health.ExpectStatus.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return $"HTTP status {status}, expected {health.ExpectStatus}";
        if (health.JsonField is null) return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty(health.JsonField, out var field)) return $"no field '{health.JsonField}' in the answer";
            var value = field.ValueKind == JsonValueKind.String ? field.GetString() : field.GetRawText();
            return health.JsonValue is null || value == health.JsonValue ? null : $"'{health.JsonField}' is '{value}', expected '{health.JsonValue}'";
        }
        catch (JsonException)
        {
            return "the answer is not JSON";
        }
    }

    /// <summary>Problems found, one per unhealthy endpoint.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(SuiteConfig config, IReadOnlyList<string> services, CancellationToken cancellation = default)
    {
        var failures = new List<string>();
        foreach (var service in services)
        {
            if (config.Services[service].Health is not { } health)
            {
                log.Information($"{service}: no health endpoint configured");
                continue;
            }

            var result = await runner.TryRunAsync(HealthCommands.Probe(health.Url), cancellation);
            if (runner.IsDryRun) continue;
            var problem = result.Succeeded ? Judge(health, result.StandardOutput) : $"not reachable: {result.StandardError.Trim()}";
            if (problem is null) log.Information($"{service}: {health.Url} healthy");
            else failures.Add($"{service}: {health.Url}: {problem}");
        }

        return failures;
    }
}
