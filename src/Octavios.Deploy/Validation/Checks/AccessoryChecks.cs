using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;
using Octavios.Deploy.Operations;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>accessory.*, compose.profiles: each accessory the environment's profiles expect runs, healthy, on the host.</summary>
public static class AccessoryChecks
{
    public static async Task<IReadOnlyList<Finding>> RunAsync(ICommandRunner host, SuiteConfig config, EnvironmentConfig environment, IReadOnlyList<ComposeFile> files,
        string hint, CancellationToken cancellation)
    {
        var findings = new List<Finding>();
        if (files.SelectMany(f => f.Services).Any(s => s.Node.Children.ContainsKey("profiles")))
            findings.Add(Finding.Info("compose.profiles", $"active profiles: {(environment.Profiles.Count == 0 ? "none" : string.Join(", ", environment.Profiles))}"));
        foreach (var (name, accessory) in config.Accessories)
        {
            var service = accessory.ComposeService;
            if (!files.Any(f => f.Services.Any(s => s.Name == service)))
            {
                findings.Add(Finding.Error("accessory.service", $"accessory {name}: the compose files have no service '{service}'"));
                continue;
            }

            var profiles = Accessories.ProfilesOf(files, service);
            if (!Accessories.ExpectedIn(environment, profiles))
            {
                findings.Add(Finding.Info("accessory.profile", $"accessory {name} runs under profile {string.Join(", ", profiles)}, not active here: not expected to run"));
                continue;
            }

            if (host.IsDryRun) continue;
            var state = (await host.RunAsync(DockerCommands.AwaitStateChange(config.Compose.Project, service, "", 0), cancellation)).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).Where(l => l.Length == 2)
                .Select(l => ContainerHealthGate.Judge(l[1])).ToList();
            if (state.Count == 0)
                findings.Add(Finding.Error("accessory.running", $"[{host.Target}] accessory {name} ({service}) is not running: {hint} --accessory={name} --action=boot"));
            else if (state.FirstOrDefault(s => s.Verdict != ContainerVerdict.Healthy) is { Reason.Length: > 0 } unwell)
                findings.Add(Finding.Error("accessory.running", $"[{host.Target}] accessory {name} ({service}) is not healthy: {unwell.Reason}"));
            else
                findings.Add(Finding.Info("accessory.running", $"[{host.Target}] accessory {name} ({service}) runs, healthy"));
        }

        return findings;
    }
}
