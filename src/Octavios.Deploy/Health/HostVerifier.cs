using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Health;

/// <summary>Verify on one Compose host, every check at once over its connection: health URLs, each container's variables and log, CORS.</summary>
public sealed class HostVerifier(SuiteConfig config, ICommandRunner runner, IDeployLog log)
{
    /// <summary>The problems found; <paramref name="since"/>: where the log check starts reading.</summary>
    public async Task<List<string>> CheckAsync(IReadOnlyList<SelectedService> services, Task<LoadedEnvFile?> envFile, DateTimeOffset since, CancellationToken cancellation)
    {
        var health = new HttpHealthVerifier(runner, log).CheckAsync(services, cancellation);
        var running = (await runner.RunAsync(ContainerCommands.RunningOfProject(config.Compose.Project), cancellation)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split(' ')).Where(p => p.Length == 2).ToList();
        var problems = new List<string>();
        var containers = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var service in services)
        {
            containers[service.Name] = running.Where(r => r[0] == service.ComposeService).Select(r => r[1]).ToList();
            if (containers[service.Name].Count == 0 && !runner.IsDryRun) problems.Add($"{service}: no running container");
        }

        var runtime = new RuntimeVerifier(runner, log);
        var facts = runtime.ContainersAsync(containers, envFile, config.Verify.CriticalVariables ?? config.Validation.Secrets, since, cancellation);
        var cors = config.Verify.Cors is { } corsConfig ? runtime.CorsAsync(corsConfig, cancellation) : Task.FromResult<string?>(null);
        await Task.WhenAll(health, facts, cors);
        problems.InsertRange(0, health.Result);
        problems.AddRange(facts.Result);
        if (cors.Result is { } corsProblem) problems.Add(corsProblem);
        return problems;
    }
}
