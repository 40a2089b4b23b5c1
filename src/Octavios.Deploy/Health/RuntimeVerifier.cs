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
    /// <summary>
    /// The SHA-256 of a variable's value inside a container, computed on the server (only the hash comes back);
    /// exit 3 when it is not set there. Reads `env`, which every image has, unlike printenv.
    /// </summary>
    public static Command ContainerValueHash(string containerId, string variable) =>
        new("sh", ["-c", "v=$(docker exec \"$1\" env | awk -v k=\"$2\" 'index($0, k \"=\") == 1 { print substr($0, length(k) + 2); found = 1 } END { exit !found }') || exit 3; printf %s \"$v\" | sha256sum", "sh", containerId, variable])
        {
            Title = $"hash {variable} in {containerId[..Math.Min(12, containerId.Length)]}",
        };

    public static Command LogsSince(string containerId, DateTimeOffset since) =>
        new("docker", ["logs", "--since", since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), containerId]) { Title = "logs since the deploy" };

    public static Command Cors(string url, string origin) =>
        new("curl", ["--silent", "--show-error", "--max-time", "5", "--output", "/dev/null", "--dump-header", "-", "--header", $"Origin: {origin}", url]) { Title = $"CORS {url}" };

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
                    var result = await target.TryRunAsync(ContainerValueHash(id, variable), cancellation);
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
                var logs = await target.TryRunAsync(LogsSince(id, since), cancellation);
                var errors = ErrorLines(logs.StandardOutput + logs.StandardError);
                if (errors.Count > 0)
                    log.Warning($"{service}: {errors.Count} error line(s) in its log since {since.UtcDateTime:HH:mm:ss}Z, e.g.\n  {string.Join("\n  ", errors.Take(5))}");
            }
        }
    }

    public async Task<string?> CorsAsync(CorsConfig cors, CancellationToken cancellation = default)
    {
        var result = await target.TryRunAsync(Cors(cors.Url, cors.Origin), cancellation);
        if (target.IsDryRun) return null;
        var allowed = AllowedOrigin(result.StandardOutput);
        return allowed == cors.Origin || allowed == "*" ? null : $"CORS: {cors.Url} answers Access-Control-Allow-Origin '{allowed ?? "(none)"}' to Origin '{cors.Origin}'";
    }

    [GeneratedRegex(@"\b(error|exception|traceback|fatal|panic)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorPattern();
}
