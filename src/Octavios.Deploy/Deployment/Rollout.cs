using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;

namespace Octavios.Deploy.Deployment;

/// <summary>How a service's containers are replaced.</summary>
public enum Strategy
{
    /// <summary>The new container serves before the old one stops: zero downtime.</summary>
    StartFirst,

    /// <summary>Compose's own recreate: the old container stops first (a fixed host port or container name cannot run twice).</summary>
    Recreate,
}

/// <summary>One service of a deploy: its Compose name, what its compose files say of it, and how it is replaced.</summary>
public sealed record ServicePlan(string Name, string ComposeService, ServiceShape Shape, Strategy Strategy, HealthConfig? Health)
{
    public static ServicePlan For(IReadOnlyList<ComposeFile> files, SelectedService service)
    {
        var shape = ServiceShape.Of(files, service.ComposeService);
        var strategy = service.Settings.Strategy switch
        {
            "start-first" => Strategy.StartFirst,
            "recreate" => Strategy.Recreate,
            _ => shape.Obstacle is null ? Strategy.StartFirst : Strategy.Recreate,
        };
        return new ServicePlan(service.Name, service.ComposeService, shape, strategy, service.Health);
    }
}


/// <summary>An old container that used its whole grace period to stop: its PID 1 ignored SIGTERM.</summary>
public sealed record SlowStop(string Service, double Seconds);

/// <summary>The new containers of a start-first step failed their gate and were removed; the old ones never stopped.</summary>
public sealed class NeverTookTrafficException(HealthGateException gate) : Exception(gate.Message + "; it never took traffic")
{
    public string Service { get; } = gate.Service;
}

/// <summary>
/// Replaces the containers of a service. Start-first: Compose creates the new container beside the old one (same
/// project, networks and labels, <c>--no-recreate --no-start --scale</c>), it is taken out of the service's DNS name,
/// started and gated (its healthcheck, then the service's health path asked of it directly); only then does it get the
/// name, and after a drain the old one stops with its grace period and is removed. Replicas roll one batch at a time.
/// </summary>
public sealed class Rollout(SuiteConfig config, ICommandRunner target, IDeployLog log)
{
    public List<SlowStop> SlowStops { get; } = [];

    private TimeSpan HealthTimeout => TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds);

    private TimeSpan Stable => TimeSpan.FromSeconds(config.Deploy.StableSeconds);

    /// <summary>The services' containers healthy, as a repair leaves them (no stability window: they ran before).</summary>
    public Task GateAsync(IReadOnlyList<string> composeServices, CancellationToken cancellation) =>
        new ContainerHealthGate(target, log).WaitAsync(config.Compose.Project, composeServices, HealthTimeout, TimeSpan.Zero, cancellation);

    public async Task<IReadOnlyList<ServiceContainer>> ContainersAsync(ServicePlan plan, CancellationToken cancellation) =>
        ServiceContainer.Parse((await target.RunAsync(ContainerCommands.OfService(config.Compose.Project, plan.ComposeService), cancellation)).StandardOutput);

    /// <summary>
    /// One wave of services (no depends_on between them) to the versions <paramref name="compose"/> carries;
    /// <paramref name="running"/>: each service's running containers, listed under the same lock. Returns once the wave
    /// is healthy, with the task of the stability window of the services it started from nothing or recreated (a start-first
    /// service's window is over before it takes traffic): the next wave starts meanwhile, as Compose's service_healthy.
    /// </summary>
    public async Task<Task> ApplyAsync(ComposeCommands compose, IReadOnlyList<ServicePlan> wave, IReadOnlyDictionary<string, IReadOnlyList<ServiceContainer>> runningOf,
        CancellationToken cancellation)
    {
        var recreated = new List<ServicePlan>();
        foreach (var plan in wave)
        {
            var running = runningOf[plan.ComposeService];
            // A dry run cannot know what runs: it shows the start-first sequence as it goes with a container running.
            if (target.IsDryRun && plan.Strategy == Strategy.StartFirst && running.Count == 0)
                running = [new ServiceContainer($"<running {plan.Name} container>", "running", "")];
            if (plan.Strategy == Strategy.Recreate || running.Count == 0)
            {
                if (plan.Strategy == Strategy.Recreate && running.Count > 0)
                    log.Warning($"{plan.Name}: recreated, so it is down while it restarts ({plan.Shape.Obstacle?.Key ?? "strategy: recreate"}" +
                                $"{(plan.Shape.Obstacle is { } o ? $" {o.Value} at {o.Where}" : "")}); publish it through a proxy to deploy it start-first");
                recreated.Add(plan);
                continue;
            }

            await StartFirstAsync(compose, plan, running, cancellation);
        }

        if (recreated.Count == 0) return Task.CompletedTask;
        await target.RunAsync(compose.Up(recreated.Select(p => p.ComposeService)), cancellation);
        return await new ContainerHealthGate(target, log).WaitHealthyAsync(config.Compose.Project, recreated.Select(p => p.ComposeService).ToList(), HealthTimeout, Stable, cancellation);
    }

    /// <summary>
    /// The service's replicas as its compose files set them (scale, deploy.replicas), never as many as happen to run (a
    /// broken run may have left two): new containers are made batch by batch beside <paramref name="old"/>, each batch
    /// gated before it takes traffic and followed by the retirement of as many old ones; the last retires every old one left.
    /// </summary>
    private async Task StartFirstAsync(ComposeCommands compose, ServicePlan plan, IReadOnlyList<ServiceContainer> old, CancellationToken cancellation)
    {
        var batch = Math.Max(1, config.Deploy.BatchSize);
        var steps = (plan.Shape.Replicas + batch - 1) / batch;
        var (alive, made) = (old.Count, 0);
        for (var step = 0; step < steps; step++)
        {
            var size = Math.Min(batch, plan.Shape.Replicas - made);
            log.Information($"{plan.Name}: starting {size} new container(s) beside the running one(s)");
            var before = (await ContainersAsync(plan, cancellation)).Select(c => c.Id).ToHashSet();
            await target.RunAsync(compose.CreateBeside(plan.ComposeService, alive + made + size), cancellation);
            var created = target.IsDryRun
                ? Enumerable.Range(made + 1, size).Select(i => $"<new {plan.Name} container {i}>").ToList()
                : (await ContainersAsync(plan, cancellation)).Where(c => !before.Contains(c.Id)).Select(c => c.Id).ToList();
            var aliases = new Dictionary<string, IReadOnlyList<string>>();
            try
            {
                foreach (var id in created)
                {
                    aliases[id] = (await target.RunAsync(ContainerCommands.Hide(id), cancellation)).StandardOutput
                        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    await target.RunAsync(ContainerCommands.Start(id), cancellation);
                }

                await new ContainerHealthGate(target, log).WaitForAsync(plan.Name, created, HealthTimeout, Stable, cancellation);
                await AskHealthPathAsync(plan, created, cancellation);
            }
            catch (HealthGateException unhealthy)
            {
                await ShowLogsAsync(plan.Name, created, cancellation);
                foreach (var id in created) await target.TryRunAsync(ContainerCommands.Remove(id), cancellation);
                throw new NeverTookTrafficException(unhealthy);
            }

            foreach (var id in created) await target.RunAsync(ContainerCommands.Expose(id, aliases[id]), cancellation);
            made += size;
            var retiring = (step == steps - 1 ? old.Skip(step * batch) : old.Skip(step * batch).Take(batch)).ToList();
            if (retiring.Count == 0) continue;
            log.Information($"{plan.Name}: the new container serves; the old one drains for {config.Deploy.DrainSeconds}s, then stops");
            // The proxy learns the new address before the old one leaves (it asks DNS again every second or so).
            if (config.Deploy.DrainSeconds > 0 && !target.IsDryRun) await Task.Delay(TimeSpan.FromSeconds(config.Deploy.DrainSeconds), cancellation);
            foreach (var container in retiring)
            {
                log.Information($"{plan.Name}: stopping the old container (grace {plan.Shape.StopGraceSeconds}s)");
                var clock = Stopwatch.StartNew();
                await target.RunAsync(ContainerCommands.Stop(container.Id, plan.Shape.StopGraceSeconds), cancellation);
                if (clock.Elapsed.TotalSeconds >= plan.Shape.StopGraceSeconds - 0.5 && plan.Shape.StopGraceSeconds > 0)
                    SlowStops.Add(new SlowStop(plan.Name, clock.Elapsed.TotalSeconds));
                await target.RunAsync(ContainerCommands.Remove(container.Id), cancellation);
                alive--;
                log.Information($"{plan.Name}: the old container is stopped and removed after {clock.Elapsed.TotalSeconds:0.0}s");
            }
        }
    }

    /// <summary>The last log lines of each container (secrets masked by the runner), before anything removes it.</summary>
    public async Task ShowLogsAsync(string service, IEnumerable<string> ids, CancellationToken cancellation)
    {
        foreach (var id in ids)
        {
            try
            {
                var logs = await target.TryRunAsync(DockerCommands.Logs(id, config.Deploy.LogTail), cancellation);
                log.Error($"--- last {config.Deploy.LogTail} log lines of {service} ---\n{logs.StandardOutput}{logs.StandardError}--- end of {service} ---");
            }
            catch (CommandTimedOutException)
            {
                log.Warning($"{service}: its logs could not be read in time");
            }
        }
    }

    /// <summary>The service's health path, asked of each new container directly (it is not in DNS yet).</summary>
    private async Task AskHealthPathAsync(ServicePlan plan, IReadOnlyList<string> created, CancellationToken cancellation)
    {
        if (plan.Health is not { Url.Length: > 0 } health) return;
        var path = new Uri(health.Url).PathAndQuery;
        foreach (var id in created)
        {
            var answer = await target.TryRunAsync(HealthCommands.ProbeContainer(id, path), cancellation);
            if (answer.ExitCode == 3 || target.IsDryRun) return;
            if ((answer.Succeeded ? HttpHealthVerifier.Judge(health, answer.StandardOutput) : answer.StandardError.Trim()) is { } problem)
                throw new HealthGateException(plan.Name, $"{path} on the new container: {problem}");
        }
    }

    /// <summary>
    /// Brings a service back to its recorded version after a failed change: the containers it ran before (still running,
    /// never hidden) stay and every other is removed; if none is left, the recorded version is rolled in.
    /// </summary>
    public async Task ConvergeAsync(ComposeCommands recorded, ServicePlan plan, IReadOnlyCollection<string> keep, CancellationToken cancellation)
    {
        var containers = await ContainersAsync(plan, cancellation);
        var kept = containers.Where(c => c.Running && keep.Contains(c.Id)).ToList();
        if (plan.Strategy == Strategy.Recreate || kept.Count == 0)
        {
            foreach (var stray in containers.Where(c => !c.Running)) await target.TryRunAsync(ContainerCommands.Remove(stray.Id), cancellation);
            if (plan.Strategy == Strategy.StartFirst && containers.Any(c => c.Running))
            {
                await StartFirstAsync(recorded, plan, containers.Where(c => c.Running).ToList(), cancellation);
                return;
            }

            await target.RunAsync(recorded.Up([plan.ComposeService]), cancellation);
            await new ContainerHealthGate(target, log).WaitAsync(config.Compose.Project, [plan.ComposeService], HealthTimeout, Stable, cancellation);
            return;
        }

        foreach (var other in containers.Where(c => !kept.Contains(c))) await target.RunAsync(ContainerCommands.Remove(other.Id), cancellation);
        await new ContainerHealthGate(target, log).WaitForAsync(plan.Name, kept.Select(c => c.Id).ToList(), HealthTimeout, TimeSpan.Zero, cancellation);
    }
}
