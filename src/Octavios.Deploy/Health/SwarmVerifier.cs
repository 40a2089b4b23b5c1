using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Health;

/// <summary>
/// Verify on a Swarm, from its manager: each service runs all its replicas, on the image of the recorded version,
/// and no update of it is paused or rolled back. What it cannot check there it says.
/// </summary>
public sealed class SwarmVerifier(SuiteConfig config, ICommandRunner manager, IDeployLog log)
{
    public async Task<IReadOnlyList<string>> CheckAsync(IEnumerable<SelectedService> services, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation = default)
    {
        log.Information("On a Swarm, Verify checks each service's tasks and image from the manager; it does not call health URLs or read " +
                        "variables inside containers (the tasks run on other nodes): Swarm's own health checks gate them.");
        var problems = new List<string>();
        foreach (var service in services)
        {
            var name = $"{config.Compose.Project}_{service.ComposeService}";
            var result = await manager.TryRunAsync(SwarmCommands.ServiceState(name), cancellation);
            if (manager.IsDryRun) continue;
            if (SwarmServiceState.Parse(result.StandardOutput) is not { } state)
            {
                problems.Add($"{service}: no service {name} in the stack");
                continue;
            }

            if (!state.AllRunning) problems.Add($"{service}: {state.Replicas} tasks running");
            if (state.UpdateState is "paused" or "rollback_paused" or "rollback_completed" or "rollback_started")
                problems.Add($"{service}: its last update ended {state.UpdateState} ({state.UpdateMessage})");
            if (versions.GetValueOrDefault(service.VersionVariable) is { } version && !state.Image.Split('@')[0].EndsWith($":{version}", StringComparison.Ordinal))
                problems.Add($"{service}: runs {state.Image.Split('@')[0]}, not version {version}");
        }

        return problems;
    }
}
