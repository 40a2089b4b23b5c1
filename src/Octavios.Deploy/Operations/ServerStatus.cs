using Octavios.Deploy.Records;
using System.Globalization;
using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Operations;

/// <summary>One container as Status shows it.</summary>
public sealed record ServiceState(string Service, string Recorded, string Running, string ImageId, string State, string Health, TimeSpan? Uptime, int Restarts)
{
    public bool Matches => Running == Recorded;
}

/// <summary>What runs on a target against what its records say, the lock's holder and an unfinished change: three reads.</summary>
public sealed record ServerStatus(string Target, IReadOnlyList<ServiceState> Services, LockState Lock, DeployJournal? Journal)
{
    /// <param name="swarm">The target is a Swarm's manager: a service's row is its Swarm service (replicas running, its update's state).</param>
    public static async Task<ServerStatus> ReadAsync(SuiteConfig config, IEnumerable<SelectedService> services, ICommandRunner target, bool swarm,
        CancellationToken cancellation = default)
    {
        var records = ServerRecords.Parse((await target.RunAsync(ServerRecords.Read(), cancellation)).StandardOutput);
        var lockState = LockState.Parse((await target.RunAsync(LockCommands.Inspect(), cancellation)).StandardOutput);
        if (swarm) return new ServerStatus(target.Target, await SwarmServicesAsync(config, services, records, target, cancellation), lockState, records.Journal);
        var containers = (await target.RunAsync(ContainerCommands.OfProject(config.Compose.Project), cancellation)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|'))
            .Where(p => p.Length == 7)
            .ToList();
        var states = new List<ServiceState>();
        foreach (var service in services)
        {
            var recorded = records.Current.GetValueOrDefault(service.VersionVariable) ?? "(compose default)";
            var own = containers.Where(c => c[0] == service.ComposeService).ToList();
            if (own.Count == 0) states.Add(new ServiceState(service.Name, recorded, "-", "", "absent", "-", null, 0));
            foreach (var c in own)
            {
                var started = DateTimeOffset.TryParse(c[5], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && c[3] == "running"
                    ? DateTimeOffset.UtcNow - at
                    : (TimeSpan?)null;
                states.Add(new ServiceState(service.Name, recorded, c[1].Split(':')[^1], c[2].Replace("sha256:", "")[..Math.Min(19, c[2].Length)],
                    c[3], c[4], started, int.TryParse(c[6], out var restarts) ? restarts : 0));
            }
        }

        return new ServerStatus(target.Target, states, lockState, records.Journal);
    }

    private static async Task<List<ServiceState>> SwarmServicesAsync(SuiteConfig config, IEnumerable<SelectedService> services, ServerRecords records, ICommandRunner manager,
        CancellationToken cancellation)
    {
        var states = new List<ServiceState>();
        foreach (var service in services)
        {
            var recorded = records.Current.GetValueOrDefault(service.VersionVariable) ?? "(compose default)";
            var answer = await manager.TryRunAsync(SwarmCommands.ServiceState($"{config.Compose.Project}_{service.ComposeService}"), cancellation);
            states.Add(answer.Succeeded && SwarmServiceState.Parse(answer.StandardOutput) is { } state
                ? new ServiceState(service.Name, recorded, state.Image.Split('@')[0].Split(':')[^1], "", $"{state.Replicas.Split(' ')[0]} up",
                    state.UpdateState.Length == 0 ? "-" : state.UpdateState, null, 0)
                : new ServiceState(service.Name, recorded, "-", "", "absent", "-", null, 0));
        }

        return states;
    }

    public IEnumerable<string> TableLines()
    {
        var width = Math.Max(7, Services.Select(s => s.Service.Length).DefaultIfEmpty(7).Max());
        yield return $"{Target}";
        yield return $"{"SERVICE".PadRight(width)}  {"RUNNING",-12} {"RECORDED",-12} {"STATE",-10} {"HEALTH",-10} {"UPTIME",-9} {"RESTARTS",8}  IMAGE";
        foreach (var s in Services)
            yield return $"{s.Service.PadRight(width)}  {s.Running,-12} {s.Recorded + (s.Matches || s.Running == "-" ? "" : " (!)"),-12} {s.State,-10} {s.Health,-10} {Uptime(s.Uptime),-9} {s.Restarts,8}  {s.ImageId}";
        yield return Lock.Held ? $"deploy lock: held by {Lock.Describe()}, " + (Lock.Rebooted ? "last heartbeat before the server restarted" : $"heartbeat {Lock.HeartbeatAgeSeconds?.ToString(CultureInfo.InvariantCulture) ?? "?"} s ago") : "deploy lock: free";
        if (Journal is not null) yield return $"unfinished: {Journal.Describe()} (the next Deploy or Rollback puts back what the records name)";
    }

    public string Json() => JsonSerializer.Serialize(new
    {
        target = Target,
        services = Services.Select(s => new
        {
            service = s.Service, running = s.Running, recorded = s.Recorded, image = s.ImageId, state = s.State, health = s.Health,
            uptime_s = s.Uptime is { } u ? Math.Round(u.TotalSeconds) : (double?)null, restarts = s.Restarts,
        }),
        @lock = Lock.Held ? new { holder = Lock.Describe(), heartbeat_s = Lock.HeartbeatAgeSeconds } : null,
        unfinished = Journal?.Describe(),
    }, new JsonSerializerOptions { WriteIndented = true });

    private static string Uptime(TimeSpan? uptime) => uptime switch
    {
        null => "-",
        { TotalDays: >= 1 } u => $"{(int)u.TotalDays}d{u.Hours}h",
        { TotalHours: >= 1 } u => $"{(int)u.TotalHours}h{u.Minutes}m",
        { } u => $"{(int)u.TotalMinutes}m{u.Seconds}s",
    };
}
