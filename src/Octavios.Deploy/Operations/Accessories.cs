using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;

namespace Octavios.Deploy.Operations;

public enum AccessoryAction
{
    Boot,
    Restart,
    Logs,
    Backup,
}

/// <summary>
/// One accessory (a database, a cache the releases do not own) on a host: booted when it is not running (never
/// recreated), restarted, its logs, its backup (its command's output kept 0600 in a 0700 directory, as deploy.backup).
/// Deploys never touch it: they name their own services, never their dependencies.
/// </summary>
public sealed class Accessories(SuiteConfig config, EnvironmentConfig environment, string name, IReadOnlyList<ComposeFile> files, string? envFile, IDeployLog log)
{
    private readonly AccessoryConfig _accessory = config.Accessories.GetValueOrDefault(name)
        ?? throw new DeployInputException($"Unknown accessory '{name}'. Accessories: {(config.Accessories.Count == 0 ? "none configured" : string.Join(", ", config.Accessories.Keys))}.");

    /// <summary>The profiles its compose service is under; none: it runs in every environment.</summary>
    public static IReadOnlyList<string> ProfilesOf(IReadOnlyList<ComposeFile> files, string composeService) =>
        files.SelectMany(f => f.ProfilesOf(composeService)).Distinct().ToList();

    /// <summary>Runs here unless it is under profiles of which the environment activates none.</summary>
    public static bool ExpectedIn(EnvironmentConfig environment, IReadOnlyList<string> profiles) =>
        profiles.Count == 0 || profiles.Intersect(environment.Profiles).Any();

    /// <summary>
    /// What was done, in lines. <paramref name="composeFiles"/>: the checkout's compose files (path → text) a server gets
    /// before a boot, as a deploy gives them (a first boot comes before any deploy); none on this machine.
    /// </summary>
    public async Task<IReadOnlyList<string>> RunAsync(AccessoryAction action, ICommandRunner host, IReadOnlyDictionary<string, string> composeFiles, int tail,
        CancellationToken cancellation)
    {
        var service = _accessory.ComposeService;
        if (!files.Any(f => f.Services.Any(s => s.Name == service)))
            throw new DeployInputException($"accessory {name}: the compose files have no service '{service}'.");
        var profiles = ProfilesOf(files, service);
        if (!ExpectedIn(environment, profiles))
            throw new DeployInputException($"accessory {name} runs under profile {string.Join(", ", profiles)}, which this environment does not activate " +
                                           $"(its profiles: {(environment.Profiles.Count == 0 ? "none" : string.Join(", ", environment.Profiles))}).");
        var compose = ComposeCommands.ForProject(config, await ComposeFlavorProbe.DetectAsync(host, log, config.Compose.Flavor, cancellation), envFile, new Dictionary<string, string>());
        var gate = TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds);
        switch (action)
        {
            case AccessoryAction.Boot:
                if (composeFiles.Count > 0)
                    await host.RunAsync(RemoteFiles.Apply(composeFiles.Select(f => FileChange.Write(f.Key, f.Value)), "the compose files"), cancellation);
                await host.RunAsync(compose.Boot(service, environment.Profiles), cancellation);
                await new ContainerHealthGate(host, log).WaitAsync(config.Compose.Project, [service], gate, TimeSpan.Zero, cancellation);
                return [$"{name} runs ({service}); a running one was left as it was"];
            case AccessoryAction.Restart:
                await host.RunAsync(compose.Restart(service), cancellation);
                await new ContainerHealthGate(host, log).WaitAsync(config.Compose.Project, [service], gate, TimeSpan.Zero, cancellation);
                return [$"{name} restarted ({service})"];
            case AccessoryAction.Logs:
                var lines = new List<string>();
                foreach (var container in await ContainersAsync(host, cancellation))
                {
                    var logs = await host.TryRunAsync(DockerCommands.Logs(container.Id, tail), cancellation);
                    lines.Add($"--- {name} ({container.Id[..12]}, {container.State}) ---");
                    lines.Add((logs.StandardOutput + logs.StandardError).TrimEnd('\n'));
                }

                return lines.Count > 0 ? lines : [$"{name} has no container"];
            default:
                var backup = _accessory.Backup ?? throw new DeployInputException($"accessory {name} has no backup: set accessories.{name}.backup.command.");
                var running = (await ContainersAsync(host, cancellation)).FirstOrDefault(c => c.Running)
                              ?? throw new InvalidOperationException($"[{host.Target}] {name} is not running: nothing to back up (boot it first).");
                var file = $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{backup.Extension}";
                var result = await host.TryRunAsync(HookCommands.Backup(backup.Directory, ContainerCommands.Exec(running.Id, backup.Command, TimeSpan.Zero).ToShellLine(), file),
                    cancellation);
                if (!result.Succeeded) throw new InvalidOperationException($"[{host.Target}] the backup of {name} failed: {result.StandardError.Trim()}");
                return [$"{name} backed up as {backup.Directory}/{file}"];
        }
    }

    private async Task<IReadOnlyList<ServiceContainer>> ContainersAsync(ICommandRunner host, CancellationToken cancellation) =>
        ServiceContainer.Parse((await host.RunAsync(ContainerCommands.OfService(config.Compose.Project, _accessory.ComposeService), cancellation)).StandardOutput);
}
