using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;

namespace Octavios.Deploy.Operations;

/// <summary>One container as Diagnose reports it: the troubleshooting checklist's answers, never a variable's value.</summary>
public sealed record ContainerDiagnosis(
    string Id,
    string State,
    int Restarts,
    string Health,
    string Image,
    IReadOnlyDictionary<string, string> Labels,
    string Processes,
    string? Healthcheck,
    string HealthcheckOutput,
    IReadOnlyDictionary<string, string> Variables,
    IReadOnlyList<string> Reachability,
    string Logs);

/// <summary>
/// The production guide's troubleshooting checklist for one service on one host, read-only: each container's state and
/// restarts, image and labels, processes, its healthcheck run by hand, the critical variables compared with the env file
/// by hash, DNS and TCP to each depends_on service from inside it, and its last log lines.
/// </summary>
public sealed class Diagnosis(SuiteConfig config, IReadOnlyList<ComposeFile> files, SelectedService service, LoadedEnvFile? envFile)
{
    public const int LogLines = 50;

    public async Task<IReadOnlyList<ContainerDiagnosis>> RunAsync(ICommandRunner host, CancellationToken cancellation)
    {
        var containers = ServiceContainer.Parse((await host.RunAsync(ContainerCommands.OfService(config.Compose.Project, service.ComposeService), cancellation)).StandardOutput);
        if (containers.Count == 0 && !host.IsDryRun) throw new InvalidOperationException($"[{host.Target}] no container of {service.Name}: nothing to diagnose (see --target=Status).");
        var dependencies = new List<(string Name, int? Port)>();
        foreach (var dependency in DependencyOrder.DependenciesOf(files, service.ComposeService))
            dependencies.Add((dependency, await PortOfAsync(host, dependency, cancellation)));
        var result = new List<ContainerDiagnosis>();
        foreach (var container in containers) result.Add(await OneAsync(host, container.Id, dependencies, cancellation));
        return result;
    }

    private async Task<ContainerDiagnosis> OneAsync(ICommandRunner host, string id, IReadOnlyList<(string Name, int? Port)> dependencies, CancellationToken cancellation)
    {
        using var inspect = JsonDocument.Parse((await host.RunAsync(ContainerCommands.Inspect(id), cancellation)).StandardOutput);
        var root = inspect.RootElement[0];
        var state = root.GetProperty("State");
        var containerConfig = root.GetProperty("Config");
        var labels = containerConfig.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object
            ? l.EnumerateObject().Where(p => !p.Name.StartsWith("com.docker.compose.", StringComparison.Ordinal)).ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];
        var test = containerConfig.TryGetProperty("Healthcheck", out var h) && h.TryGetProperty("Test", out var t) ? t.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
        string? healthcheck = null, healthcheckOutput = "";
        if (test.Count > 1 && test[0] is "CMD" or "CMD-SHELL")
        {
            healthcheck = string.Join(' ', test.Skip(1));
            var ran = await host.TryRunAsync(ContainerCommands.RunHealthcheck(id, test), cancellation);
            healthcheckOutput = $"exit {ran.ExitCode}\n{ran.StandardOutput}{ran.StandardError}".TrimEnd();
        }

        var running = state.GetProperty("Status").GetString() == "running";
        var processes = running ? Answer(await host.TryRunAsync(ContainerCommands.Top(id), cancellation)) : "(not running)";
        var reach = new List<string>();
        foreach (var (name, port) in dependencies)
            reach.Add(running ? Answer(await host.TryRunAsync(ContainerCommands.Reach(id, name, port), cancellation)) : $"{name}: (not running)");
        var logs = await host.TryRunAsync(DockerCommands.Logs(id, LogLines), cancellation);
        return new ContainerDiagnosis(id[..Math.Min(12, id.Length)], state.GetProperty("Status").GetString() ?? "?", root.GetProperty("RestartCount").GetInt32(),
            state.TryGetProperty("Health", out var health) ? health.GetProperty("Status").GetString() ?? "?" : "none",
            containerConfig.GetProperty("Image").GetString() ?? "?", labels, processes, healthcheck, healthcheckOutput,
            running ? await VariablesAsync(host, id, cancellation) : new Dictionary<string, string>(), reach, (logs.StandardOutput + logs.StandardError).TrimEnd());
    }

    /// <summary>Each critical variable: whether the container's value hashes to the env file's (only hashes leave the server).</summary>
    private async Task<IReadOnlyDictionary<string, string>> VariablesAsync(ICommandRunner host, string id, CancellationToken cancellation)
    {
        var names = (config.Verify.CriticalVariables ?? config.Validation.Secrets).Distinct().ToList();
        var output = (await host.TryRunAsync(HealthCommands.ContainerFacts(id, names, DateTimeOffset.UtcNow.AddYears(1)), cancellation)).StandardOutput;
        var hashes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Where(p => p.Length == 2 && names.Contains(p[0]))
            .ToDictionary(p => p[0], p => p[1]);
        return names.Where(hashes.ContainsKey).ToDictionary(name => name, name => Verdict(hashes[name], envFile?[name] is { } value ? RuntimeVerifier.Sha256(value) : null));
    }

    private static string Verdict(string hash, string? expected) => (hash, expected) switch
    {
        ("-", null) => "not set (nor in the env file)",
        ("-", _) => "NOT SET in the container, set in the env file",
        ("?", _) => "could not be read",
        (_, null) => $"sha256 {hash[..12]}…; not in the env file",
        _ when hash == expected => $"sha256 {hash[..12]}… matches the env file",
        _ => $"sha256 {hash[..12]}… DIFFERS from the env file's {expected![..12]}… (baked into the image, or older than the env file)",
    };

    /// <summary>The one port a dependency's running container exposes, if it exposes exactly one.</summary>
    private async Task<int?> PortOfAsync(ICommandRunner host, string dependency, CancellationToken cancellation)
    {
        var container = ServiceContainer.Parse((await host.RunAsync(ContainerCommands.OfService(config.Compose.Project, dependency), cancellation)).StandardOutput)
            .FirstOrDefault(c => c.State == "running");
        if (container is null) return null;
        using var inspect = JsonDocument.Parse((await host.RunAsync(ContainerCommands.Inspect(container.Id), cancellation)).StandardOutput);
        var ports = inspect.RootElement[0].GetProperty("Config").TryGetProperty("ExposedPorts", out var exposed) && exposed.ValueKind == JsonValueKind.Object
            ? exposed.EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList()
            : [];
        return ports.Count == 1 && int.TryParse(ports[0], out var port) ? port : null;
    }

    private static string Answer(CommandResult result) => (result.StandardOutput + result.StandardError).TrimEnd();

    public static IEnumerable<string> Lines(string service, IReadOnlyList<ContainerDiagnosis> containers)
    {
        foreach (var c in containers)
        {
            yield return $"=== {service} {c.Id}: {c.State}, {c.Restarts} restart(s), health {c.Health}";
            yield return $"image: {c.Image}" + (c.Labels.Count > 0 ? $" ({string.Join(", ", c.Labels.Select(l => $"{l.Key}={l.Value}"))})" : "");
            yield return "--- processes";
            yield return c.Processes;
            yield return $"--- healthcheck: {c.Healthcheck ?? "(none defined)"}";
            if (c.Healthcheck is not null) yield return c.HealthcheckOutput;
            yield return "--- critical variables (by hash, never values)";
            foreach (var (name, verdict) in c.Variables) yield return $"{name} ({verdict})";
            yield return "--- depends_on, from inside";
            foreach (var line in c.Reachability.DefaultIfEmpty("(none)")) yield return line;
            yield return $"--- last {LogLines} log lines";
            yield return c.Logs;
        }
    }
}
