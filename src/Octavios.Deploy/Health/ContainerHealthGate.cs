using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Health;

public enum ContainerVerdict
{
    Healthy,
    Waiting,
    Failed,
}

/// <summary>
/// Waits until each recreated container is healthy (or running, without a healthcheck); a restart or exit fails at once.
/// The server reports each change of the containers' state as it happens (<see cref="DockerCommands.AwaitStateChange"/>).
/// </summary>
public sealed class ContainerHealthGate(ICommandRunner runner, IDeployLog log)
{
    /// <summary>Reads one line of <see cref="DockerCommands.AwaitStateChange"/>'s output: "status health restarts".</summary>
    public static (ContainerVerdict Verdict, string Reason) Judge(string stateLine)
    {
        var parts = stateLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3) return (ContainerVerdict.Waiting, $"unreadable state '{stateLine.Trim()}'");
        var (status, health, restarts) = (parts[0], parts[1], int.TryParse(parts[2], out var r) ? r : 0);
        if (status is "restarting" or "exited" or "dead" || restarts > 0)
            return (ContainerVerdict.Failed, $"container is {status} after {restarts} restart(s)");
        if (health == "unhealthy") return (ContainerVerdict.Failed, "healthcheck reports unhealthy");
        if (status == "running" && health is "healthy" or "none") return (ContainerVerdict.Healthy, health == "none" ? "running (no healthcheck)" : "healthy");
        return (ContainerVerdict.Waiting, $"{status}, health {health}");
    }

    /// <summary>
    /// Waits until every container of the services is healthy, then for <paramref name="stable"/> more in which none may
    /// restart, exit or turn unhealthy: a release that crash-loops a few seconds after its first healthy answer fails.
    /// </summary>
    public async Task WaitAsync(string project, IReadOnlyList<string> services, TimeSpan timeout, TimeSpan stable, CancellationToken cancellation = default)
    {
        if (runner.IsDryRun)
        {
            log.Information($"[dry run] [{runner.Target}] would wait up to {timeout.TotalSeconds:0}s for {string.Join(", ", services)} to be healthy, then {stable.TotalSeconds:0}s stable");
            return;
        }

        await Task.WhenAll(services.Select(async service =>
        {
            var ids = (await runner.RunAsync(ContainerCommands.OfService(project, service), cancellation)).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split(' ')[0]).ToList();
            await WaitForAsync(service, ids, timeout, stable, cancellation);
        }));
    }

    /// <summary>The same gate on given containers of a service (a start-first deploy's new ones).</summary>
    public async Task WaitForAsync(string service, IReadOnlyList<string> ids, TimeSpan timeout, TimeSpan stable, CancellationToken cancellation = default)
    {
        if (runner.IsDryRun) return;
        if (ids.Count == 0) throw new HealthGateException(service, "no container was created");
        log.Information($"{service}: waiting for it to be healthy (up to {timeout.TotalSeconds:0}s)");
        var clock = Stopwatch.StartNew();
        var reason = "";
        TimeSpan? healthySince = null;
        var said = TimeSpan.Zero;
        var seen = "";
        while (true)
        {
            // Asked at once the first time; then the server answers when a state changes, or at the next progress line.
            var left = healthySince is { } since ? stable - (clock.Elapsed - since) : timeout - clock.Elapsed;
            var wait = seen.Length == 0 ? 0 : (int)Math.Ceiling(Math.Clamp(left.TotalSeconds, 0, Progress.Every.TotalSeconds));
            seen = (await runner.RunAsync(DockerCommands.AwaitStateChange(ids, seen, wait), cancellation)).StandardOutput.TrimEnd('\n');
            var verdicts = seen.Split('\n').Select(Judge).ToList();

            var failed = verdicts.Where(v => v.Verdict == ContainerVerdict.Failed).ToList();
            if (failed.Count > 0)
                throw new HealthGateException(service, healthySince is { } first
                    ? $"{failed[0].Reason}, {(clock.Elapsed - first).TotalSeconds:0.0}s after it was first healthy"
                    : failed[0].Reason);
            if (verdicts.All(v => v.Verdict == ContainerVerdict.Healthy))
            {
                if (healthySince is null)
                {
                    healthySince = clock.Elapsed;
                    log.Information($"{service}: {verdicts[0].Reason} after {clock.Elapsed.TotalSeconds:0.0}s" + (stable > TimeSpan.Zero ? $"; watching it {stable.TotalSeconds:0}s more" : ""));
                }

                if (clock.Elapsed - healthySince >= stable)
                {
                    if (stable > TimeSpan.Zero) log.Information($"{service}: stable for {stable.TotalSeconds:0}s");
                    return;
                }
            }
            else
            {
                if (healthySince is not null)
                    throw new HealthGateException(service, $"{verdicts.First(v => v.Verdict != ContainerVerdict.Healthy).Reason} again, {(clock.Elapsed - healthySince.Value).TotalSeconds:0.0}s after it was first healthy");
                reason = verdicts.First(v => v.Verdict == ContainerVerdict.Waiting).Reason;
                if (clock.Elapsed >= timeout) throw new HealthGateException(service, $"not healthy within {timeout.TotalSeconds:0}s (last seen: {reason})");
                if (clock.Elapsed - said >= Progress.Every)
                {
                    said = clock.Elapsed;
                    log.Information($"{service}: {reason}, {clock.Elapsed.TotalSeconds:0}s of {timeout.TotalSeconds:0}s");
                }
            }
        }
    }
}

public sealed class HealthGateException(string service, string reason) : Exception($"{service} is not healthy: {reason}")
{
    public string Service { get; } = service;
}
