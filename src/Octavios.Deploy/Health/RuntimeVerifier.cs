using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Health;

/// <summary>
/// Verify beyond the health URLs: each critical variable inside the running containers hashes to the env file's
/// value (values baked into images are caught; only hashes leave the server), error lines in the logs since a time,
/// and the optional CORS answer.
/// </summary>
public sealed partial class RuntimeVerifier(ICommandRunner target, IDeployLog log)
{
    public static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Access-Control-Allow-Origin from curl's dumped headers; null when absent.</summary>
    public static string? AllowedOrigin(string headers) =>
        headers.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Access-Control-Allow-Origin:", StringComparison.OrdinalIgnoreCase)) is { } line
            ? line[(line.IndexOf(':') + 1)..].Trim()
            : null;

    public static IReadOnlyList<string> ErrorLines(string logs) =>
        logs.Split('\n').Where(l => ErrorPattern().IsMatch(l)).Select(l => l.TrimEnd()).ToList();

    /// <summary>Problems found: each names a service and a variable, never a value.</summary>
    public async Task<IReadOnlyList<string>> VariablesAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> containers, LoadedEnvFile envFile,
        IEnumerable<string> critical, CancellationToken cancellation = default)
    {
        var problems = new List<string>();
        foreach (var (service, ids) in containers)
        {
            foreach (var variable in critical.Where(v => envFile[v] is not null))
            {
                foreach (var id in ids)
                {
                    var result = await target.TryRunAsync(HealthCommands.ContainerValueHash(id, variable), cancellation);
                    if (target.IsDryRun || result.ExitCode == 3) continue;
                    var hash = result.StandardOutput.Split(' ')[0].Trim();
                    if (!result.Succeeded) problems.Add($"{service}: could not read {variable} in its container");
                    else if (hash != Sha256(envFile[variable]!))
                        problems.Add($"{service}: {variable} inside the running container differs from {envFile.Label} (baked into the image, or a container older than the env file)");
                    else log.Verbose($"{service}: {variable} matches the env file");
                }
            }
        }

        return problems;
    }

    public async Task ReportLogErrorsAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> containers, DateTimeOffset since, CancellationToken cancellation = default)
    {
        foreach (var (service, ids) in containers)
        {
            foreach (var id in ids)
            {
                var logs = await target.TryRunAsync(DockerCommands.LogsSince(id, since), cancellation);
                var errors = ErrorLines(logs.StandardOutput + logs.StandardError);
                if (errors.Count > 0)
                    log.Warning($"{service}: {errors.Count} error line(s) in its log since {since.UtcDateTime:HH:mm:ss}Z, e.g.\n  {string.Join("\n  ", errors.Take(5))}");
            }
        }
    }

    public async Task<string?> CorsAsync(CorsConfig cors, CancellationToken cancellation = default)
    {
        var result = await target.TryRunAsync(HealthCommands.Cors(cors.Url, cors.Origin), cancellation);
        if (target.IsDryRun) return null;
        var allowed = AllowedOrigin(result.StandardOutput);
        return allowed == cors.Origin || allowed == "*" ? null : $"CORS: {cors.Url} answers Access-Control-Allow-Origin '{allowed ?? "(none)"}' to Origin '{cors.Origin}'";
    }

    [GeneratedRegex(@"\b(error|exception|traceback|fatal|panic)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorPattern();
}
