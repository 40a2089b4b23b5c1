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

    /// <summary>
    /// Asks every container at once (<see cref="HealthCommands.ContainerFacts"/>): problems with the critical variables,
    /// each naming a service and a variable, never a value; error lines in the logs since a time are reported as warnings.
    /// </summary>
    public async Task<IReadOnlyList<string>> ContainersAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> containers, Task<LoadedEnvFile?> loadEnvFile,
        IEnumerable<string> critical, DateTimeOffset logSince, CancellationToken cancellation = default)
    {
        // Asked while the env file is still being read: its values are needed only to compare.
        var asked = critical.Distinct().ToList();
        var answers = await Task.WhenAll(containers.SelectMany(c => c.Value.Select(id => (Service: c.Key, Id: id))).Select(async container =>
            (container.Service, Result: await target.TryRunAsync(HealthCommands.ContainerFacts(container.Id, asked, logSince), cancellation))));
        var envFile = await loadEnvFile;
        if (target.IsDryRun) return [];
        var variables = envFile is null ? [] : asked.Where(v => envFile[v] is not null).ToList();
        var problems = new List<string>();
        foreach (var (service, result) in answers)
        {
            var output = result.StandardOutput;
            var cut = output.IndexOf(HealthCommands.LogStart + "\n", StringComparison.Ordinal);
            var hashes = (cut < 0 ? output : output[..cut]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            foreach (var variable in variables)
            {
                var hash = hashes.GetValueOrDefault(variable);
                if (hash is null or "?") problems.Add($"{service}: could not read {variable} in its container");
                else if (hash == "-") continue;
                else if (hash != Sha256(envFile![variable]!))
                    problems.Add($"{service}: {variable} inside the running container differs from {envFile.Label} (baked into the image, or a container older than the env file)");
                else log.Verbose($"{service}: {variable} matches the env file");
            }

            var errors = cut < 0 ? [] : ErrorLines(output[(cut + HealthCommands.LogStart.Length + 1)..]);
            if (errors.Count > 0)
                log.Warning($"{service}: {errors.Count} error line(s) in its log since {logSince.UtcDateTime:HH:mm:ss}Z, e.g.\n  {string.Join("\n  ", errors.Take(5))}");
        }

        return problems;
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
