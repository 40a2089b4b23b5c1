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

    /// <summary>Splits <see cref="HealthCommands.ProbeAll"/>'s output: per URL, curl's exit code and its output.</summary>
    public static IReadOnlyList<(int Exit, string Output)> Answers(string output)
    {
        var answers = new List<(int, string)>();
        var block = new System.Text.StringBuilder();
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(HealthCommands.AnswerEnd, StringComparison.Ordinal))
            {
                answers.Add((int.TryParse(line[HealthCommands.AnswerEnd.Length..], out var exit) ? exit : -1, block.ToString().TrimEnd('\n')));
                block.Clear();
            }
            else block.Append(line).Append('\n');
        }

        return answers;
    }

    /// <summary>Problems found, one per unhealthy endpoint; every endpoint is asked in one command on the target.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(IReadOnlyList<SelectedService> services, CancellationToken cancellation = default)
    {
        foreach (var service in services.Where(s => s.Health is null)) log.Information($"{service}: no health endpoint configured");
        var checkedServices = services.Where(s => s.Health is not null).ToList();
        if (checkedServices.Count == 0) return [];
        var result = await runner.TryRunAsync(HealthCommands.ProbeAll(checkedServices.Select(s => s.Health!.Url).ToList()), cancellation);
        if (runner.IsDryRun) return [];
        var answers = Answers(result.StandardOutput);
        var failures = new List<string>();
        for (var i = 0; i < checkedServices.Count; i++)
        {
            var (service, health) = (checkedServices[i], checkedServices[i].Health!);
            var problem = i >= answers.Count ? $"no answer ({result.StandardError.Trim()})"
                : answers[i].Exit == 0 ? Judge(health, answers[i].Output)
                : $"not reachable: {string.Join(' ', answers[i].Output.Split('\n').SkipLast(1)).Trim()}";
            if (problem is null) log.Information($"{service}: {health.Url} healthy");
            else failures.Add($"{service}: {health.Url}: {problem}");
        }

        return failures;
    }
}
