using Octavios.Deploy.Records;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;
using Octavios.Deploy.Registry;

namespace Octavios.Deploy.Deployment;

/// <summary>
/// A change on one Compose host: the selected services recreated wave by wave (depends_on), each start-first or by
/// recreate (<see cref="Rollout"/>), gated healthy then stable; an undo converges them back on the previous versions,
/// keeping the containers that ran before (never pulling).
/// </summary>
public sealed class ComposeApplier(SuiteConfig config, ComposeFileSet composeFiles, ICommandRunner target, IDeployLog log, string? envFile, bool pull) : IChangeApplier
{
    private readonly Rollout _rollout = new(config, target, log);
    private Dictionary<string, IReadOnlyList<ServiceContainer>> _running = new();
    private ComposeFlavor? _flavor;

    /// <summary>Whether the change reached its containers (past the release commands): before that, an undo has nothing to put back.</summary>
    private bool _applying;

    public IReadOnlyDictionary<string, string> Uploads { get; } = new Dictionary<string, string>();

    public TimeSpan UndoBound => TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds + config.Deploy.StableSeconds + 60);

    public IEnumerable<string> Warnings => _rollout.SlowStops.Select(slow =>
        $"{slow.Service}: its old container took {slow.Seconds:0.0}s to stop, its whole grace period: PID 1 ignores SIGTERM. " +
        "Give the service init: true (an init that forwards signals), or a STOPSIGNAL / stop_signal its server obeys.");

    public async Task PrepareAsync(DeployRequest request, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation)
    {
        var compose = await ComposeAsync(versions, cancellation);
        if (!pull) return;
        var services = Waves(request.Services).SelectMany(w => w).ToList();
        log.Information($"[{target.Target}] pulling {string.Join(", ", services.Select(p => p.Name))}");
        await PullAsync(compose, services.Select(p => p.ComposeService).ToList(), request.Credentials, cancellation);
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RunningAsync(IReadOnlyList<SelectedService> services, CancellationToken cancellation)
    {
        _running = new Dictionary<string, IReadOnlyList<ServiceContainer>>();
        foreach (var plan in Waves(services).SelectMany(w => w))
            _running[plan.ComposeService] = (await _rollout.ContainersAsync(plan, cancellation)).Where(c => c.Running).ToList();
        return _running.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value.Select(c => c.Id).ToList());
    }

    public async Task ReleaseAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, string token, CancellationToken cancellation)
    {
        var releasing = Waves(services).SelectMany(w => w).Select(plan => (Plan: plan, Release: services.First(s => s.Name == plan.Name).Settings.Release))
            .Where(r => r.Release is { Command.Length: > 0 }).ToList();
        if (releasing.Count == 0) return;
        var compose = await ComposeAsync(versions, cancellation);
        foreach (var (plan, release) in releasing)
        {
            // Named, so that a run cut off or interrupted meanwhile removes the container the killed client left running.
            var name = $"{config.Compose.Project}-release-{plan.ComposeService}-{token}";
            log.Information($"[{target.Target}] {plan.Name}: release command in a one-off container of the new version");
            CommandResult result;
            try
            {
                result = await target.TryRunAsync(compose.RunOnce(plan.ComposeService, release!.Command, TimeSpan.FromSeconds(release.TimeoutSeconds), name), cancellation);
            }
            catch
            {
                await target.TryRunAsync(ContainerCommands.Remove(name), CancellationToken.None);
                throw;
            }

            if (result.StandardOutput.Length + result.StandardError.Length > 0) log.Information((result.StandardOutput + result.StandardError).TrimEnd());
            if (!result.Succeeded)
                throw new ReleaseCommandFailedException(plan.Name, result.ExitCode);
        }
    }

    public async Task ApplyAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, DeployJournal journal, CancellationToken cancellation)
    {
        var compose = await ComposeAsync(versions, cancellation);
        _applying = true;
        var windows = new List<Task>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            foreach (var wave in Waves(services)) windows.Add(await _rollout.ApplyAsync(compose, wave, _running, stop.Token));
            await Task.WhenAll(windows);
        }
        catch
        {
            // The windows still open end before anything is put back (their own outcome no longer matters: this one is reported).
            await stop.CancelAsync();
            await Task.WhenAll(windows).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
    }

    public async Task<string> UndoAsync(Exception failure, IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, DeployJournal journal,
        CancellationToken cancellation)
    {
        var waves = Waves(services);
        if (failure is HealthGateException unhealthy) await ShowLogsQuietlyAsync(waves.SelectMany(w => w).First(p => p.Name == unhealthy.Service || p.ComposeService == unhealthy.Service), cancellation);
        // A start-first release that failed its gate was removed before it took any traffic: nothing to put back.
        var outcome = failure switch
        {
            NeverTookTrafficException => "it never took traffic, the previous release kept serving",
            _ when !_applying => "nothing was switched, the previous release kept serving",
            _ => "rolled back to the previous versions",
        };
        var compose = await ComposeAsync(versions, cancellation);
        try
        {
            foreach (var plan in waves.SelectMany(w => w))
                await _rollout.ConvergeAsync(compose, plan, journal.KeptOf(plan.ComposeService), cancellation);
        }
        catch (HealthGateException again)
        {
            // The previous versions run again, unhealthy: the records name what runs.
            outcome = $"rolled back, but the previous release is not healthy: {again.Message.Split('\n')[0]}";
        }

        return outcome;
    }

    public async Task<string> RepairAsync(DeployJournal journal, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation)
    {
        await target.RunAsync(LockCommands.RunRepair(Repair(journal, await ComposeAsync(versions, cancellation))), cancellation);
        try
        {
            await _rollout.GateAsync(journal.Keep?.Keys.ToList() ?? Waves(SelectedService.Of(config, journal.Services)).SelectMany(w => w).Select(p => p.ComposeService).ToList(),
                cancellation);
            return "put back";
        }
        catch (HealthGateException failure)
        {
            return $"put back, but not healthy: {failure.Message.Split('\n')[0]}";
        }
    }

    public async Task<JournaledRepair> RepairOfAsync(DeployJournal journal, IReadOnlyDictionary<string, string> recorded, CancellationToken cancellation)
    {
        var compose = await ComposeAsync(recorded, cancellation);
        return new JournaledRepair(Repair(journal, compose.OnJournalCopies()), compose.CopiesForJournal().ToList());
    }

    /// <summary>Each service of the change: back to the containers it kept if one still runs, else created anew at its recorded version.</summary>
    private Command Repair(DeployJournal journal, ComposeCommands recorded) =>
        new("sh", ["-c", string.Join('\n', Waves(SelectedService.Of(config, journal.Services)).SelectMany(w => w).Select(plan =>
            $"{{ {ContainerCommands.KeepOnly(config.Compose.Project, plan.ComposeService, journal.KeptOf(plan.ComposeService)).ToShellLine()} || " +
            $"{recorded.Up([plan.ComposeService]).ToShellLine()}; }} || exit 1").DefaultIfEmpty("true"))]) { Title = "put the change back" };

    private async Task<ComposeCommands> ComposeAsync(IReadOnlyDictionary<string, string> versions, CancellationToken cancellation)
    {
        _flavor ??= await ComposeFlavorProbe.DetectAsync(target, log, config.Compose.Flavor, cancellation);
        return ComposeCommands.ForProject(config, _flavor.Value, envFile, versions);
    }

    private IReadOnlyList<ComposeFile> ComposeFiles() => composeFiles.Parsed(config.Compose.Files);

    /// <summary>The services in depends_on order, wave by wave, each with how it is replaced.</summary>
    private IReadOnlyList<IReadOnlyList<ServicePlan>> Waves(IEnumerable<SelectedService> services)
    {
        var files = ComposeFiles();
        var plans = services.Select(s => ServicePlan.For(files, s)).ToList();
        return DependencyOrder.Waves(files, plans.Select(p => p.ComposeService).ToList())
            .Select(wave => (IReadOnlyList<ServicePlan>)wave.Select(name => plans.First(p => p.ComposeService == name)).ToList())
            .ToList();
    }

    private async Task PullAsync(ComposeCommands compose, IReadOnlyList<string> services, RegistryCredentials? credentials, CancellationToken cancellation)
    {
        // The docker CLI pulls the images the suite's own variables name, without Compose's start-up (v1's is Python, ~0.5 s);
        // Compose pulls when an image needs a variable only the server knows.
        var unknown = new List<string>();
        var images = services.Select(s => ComposeFile.ImageOf(ComposeFiles(), s, name => compose.Variables.GetValueOrDefault(name), unknown)).ToList();
        var pullCommand = (unknown.Count == 0 && images.All(i => i is { Length: > 0 }) ? DockerCommands.PullAll(images!) : compose.Pull(services))
            with { Timeout = TimeSpan.FromSeconds(config.Deploy.PullTimeoutSeconds) };
        await target.RunAsync(credentials is null ? pullCommand : DockerCommands.WithTemporaryLogin(config.Registry, credentials.Username, credentials.Password, pullCommand), cancellation);
    }

    /// <summary>The failing service's last log lines; a log that cannot be read never stands in the way of the undo.</summary>
    private async Task ShowLogsQuietlyAsync(ServicePlan plan, CancellationToken cancellation)
    {
        try
        {
            await _rollout.ShowLogsAsync(plan.Name, (await _rollout.ContainersAsync(plan, cancellation)).Select(c => c.Id), cancellation);
        }
        catch (Exception error) when (error is CommandFailedException or CommandTimedOutException)
        {
            log.Warning($"{plan.Name}: its logs could not be read ({error.Message.Split('\n')[0]})");
        }
    }
}
