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
/// The server reports each change of the containers' state as it happens (<see cref="DockerCommands.AwaitStateChange(IReadOnlyList{string}, string, double)"/>).
/// </summary>
public sealed class ContainerHealthGate(ICommandRunner runner, IDeployLog log)
{
    private const string Gone = "gone";

    /// <summary>Reads a container's state as <see cref="DockerCommands.AwaitStateChange(IReadOnlyList{string}, string, double)"/> prints it after its id: "status health restarts".</summary>
    public static (ContainerVerdict Verdict, string Reason) Judge(string stateLine)
    {
        var parts = stateLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3) return (ContainerVerdict.Waiting, $"unreadable state '{stateLine.Trim()}'");
        var (status, health, restarts) = (parts[0], parts[1], int.TryParse(parts[2], out var r) ? r : 0);
        if (status == Gone) return (ContainerVerdict.Failed, "container was removed");
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

        await Task.WhenAll(services.Select(service => WatchAsync(service, DockerCommands.AwaitStateChange(project, service, "", 0), timeout, stable, cancellation, listedByLabels: true)));
    }

    /// <summary>
    /// <see cref="WaitAsync"/> in two parts: returns once every container of the services is healthy, with the task of the
    /// window that follows (it fails as the gate does if one restarts, exits or turns unhealthy in it), so that what
    /// depends on them can start meanwhile.
    /// </summary>
    public async Task<Task> WaitHealthyAsync(string project, IReadOnlyList<string> services, TimeSpan timeout, TimeSpan stable, CancellationToken cancellation = default)
    {
        if (runner.IsDryRun)
        {
            await WaitAsync(project, services, timeout, stable, cancellation);
            return Task.CompletedTask;
        }

        var healthy = services.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var watches = services.Select((service, i) =>
            WatchAsync(service, DockerCommands.AwaitStateChange(project, service, "", 0), timeout, stable, cancellation, listedByLabels: true, onHealthy: () => healthy[i].TrySetResult())).ToList();
        var window = Task.WhenAll(watches);
        // A watch that fails before its service is healthy fails this wait at once.
        await Task.WhenAny(Task.WhenAll(healthy.Select(h => h.Task)), window);
        if (window.IsFaulted || window.IsCanceled) await window;
        return window;
    }

    /// <summary>The same gate on given containers of a service (a start-first deploy's new ones).</summary>
    public Task WaitForAsync(string service, IReadOnlyList<string> ids, TimeSpan timeout, TimeSpan stable, CancellationToken cancellation = default)
    {
        if (runner.IsDryRun)
        {
            log.Information($"[dry run] [{runner.Target}] would wait up to {timeout.TotalSeconds:0}s for {service}'s new container(s) to be healthy, then {stable.TotalSeconds:0}s stable");
            return Task.CompletedTask;
        }

        if (ids.Count == 0) throw new HealthGateException(service, "no container was created");
        return WatchAsync(service, DockerCommands.AwaitStateChange(ids, "", 0), timeout, stable, cancellation);
    }

    /// <summary>
    /// <paramref name="opening"/>: the first question, answered at once; the later ones name the containers it found.
    /// <paramref name="listedByLabels"/>: the opening lists the service's containers, so one removed since (a stray a
    /// cleanup took) is not the service's; a container named by id and then removed fails the gate.
    /// </summary>
    private async Task WatchAsync(string service, Command opening, TimeSpan timeout, TimeSpan stable, CancellationToken cancellation, bool listedByLabels = false,
        Action? onHealthy = null)
    {
        log.Information($"{service}: waiting for it to be healthy (up to {timeout.TotalSeconds:0}s)");
        var clock = Stopwatch.StartNew();
        var reason = "";
        TimeSpan? healthySince = null;
        var said = TimeSpan.Zero;
        var seen = "";
        IReadOnlyList<string> ids = [];
        while (true)
        {
            // Asked at once the first time; then the server answers when a state changes, or at the next progress line.
            var left = healthySince is { } since ? stable - (clock.Elapsed - since) : timeout - clock.Elapsed;
            // To the tenth of a second: a whole second rounded up made every stability window up to a second longer.
            var wait = Math.Ceiling(Math.Clamp(left.TotalSeconds, 0, Progress.Every.TotalSeconds) * 10) / 10;
            var opened = seen.Length == 0;
            var question = opened ? opening : DockerCommands.AwaitStateChange(ids, seen, wait);
            seen = (await runner.RunAsync(question, cancellation)).StandardOutput.TrimEnd('\n');
            var lines = seen.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).ToList();
            if (opened && listedByLabels)
            {
                lines = lines.Where(l => !(l.Length > 1 && l[1].StartsWith(Gone + " ", StringComparison.Ordinal))).ToList();
                seen = string.Join('\n', lines.Select(l => string.Join(' ', l)));
            }

            if (lines.Count == 0) throw new HealthGateException(service, "no container was created");
            ids = lines.Select(l => l[0]).ToList();
            var verdicts = lines.Select(l => Judge(l.Length > 1 ? l[1] : "")).ToList();

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
                    onHealthy?.Invoke();
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
