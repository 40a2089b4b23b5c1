using Octavios.Deploy.Compose;
using Octavios.Deploy.Records;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;
using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Deployment;

/// <summary>What a deploy or rollback did: each host's outcome (one row per host of a fleet), and the audit line of a single target.</summary>
public sealed record ChangeResult(IReadOnlyList<HostOutcome> Hosts, AuditEntry? Audit)
{
    public bool IsFleet => Audit is null;
}

/// <summary>
/// Every deploy, rollback and verification, on every kind of environment: the one place where the kind decides how a
/// change runs (a Swarm through its manager, one server, or a fleet held together by <see cref="FleetDeployer"/>) and
/// how it is verified. Deploys pull when the environment uses a registry; rollbacks never pull (Prune keeps their
/// images on the server).
/// </summary>
public sealed class DeployPipeline(SuiteConfig config, ComposeFileSet composeFiles, EnvironmentConfig environment, IReadOnlyList<DeployTarget> hosts, ICommandRunner local,
    IDeployLog log, string? envFile, bool usesRegistry)
{
    public async Task<ChangeResult> RunAsync(DeployRequest request, LoadedEnvFile? loadedEnvFile, CancellationToken cancellation)
    {
        if (environment.Kind == EnvironmentKind.Swarm)
        {
            var manager = new FencedRunner(hosts[0].Runner, request.Owner.Token);
            var applier = new SwarmApplier(config, composeFiles, environment, manager, log, loadedEnvFile, request.Credentials is not null);
            return Single(hosts[0], await new DeployTransaction(config, applier, manager, local, log, envFile).RunAsync(request, cancellation));
        }

        if (hosts.Count == 1) return Single(hosts[0], await TransactionOf(hosts[0], request).RunAsync(request, cancellation));
        return new ChangeResult(await FleetAsync(request, cancellation), null);
    }

    /// <summary>
    /// What is wrong with the selected services where they run, each problem naming its host on a fleet: on a Swarm,
    /// tasks and images from the manager; on Compose hosts, every host at once (<see cref="HostVerifier"/>).
    /// <paramref name="expected"/>: the versions they must run; null for what the records name (Swarm).
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string>? expected,
        Task<LoadedEnvFile?> envFile, DateTimeOffset since, CancellationToken cancellation)
    {
        if (environment.Kind == EnvironmentKind.Swarm)
        {
            var manager = hosts[0].Runner;
            expected ??= ServerRecords.Parse((await manager.RunAsync(ServerRecords.Read(), cancellation)).StandardOutput).Current;
            return await new SwarmVerifier(config, manager, log).CheckAsync(services, expected, cancellation);
        }

        var fleet = hosts.Count > 1;
        var perHost = await Task.WhenAll(hosts.Select(async host =>
            (await new HostVerifier(config, host.Runner, log).CheckAsync(services, envFile, since, cancellation)).Select(problem => fleet ? $"[{host.Label}] {problem}" : problem)));
        return perHost.SelectMany(p => p).ToList();
    }

    private static ChangeResult Single(DeployTarget host, AuditEntry done) =>
        new([new HostOutcome(host.Label, false, done.Result, done.Services, done.To)], done);

    /// <summary>
    /// A change on one Compose host: deploys pull when the environment uses a registry; rollbacks never pull. Every
    /// command of the change is fenced by the run's lock token.
    /// </summary>
    private DeployTransaction TransactionOf(DeployTarget host, DeployRequest request)
    {
        var runner = new FencedRunner(host.Runner, request.Owner.Token);
        return new(config, new ComposeApplier(config, composeFiles, runner, log, envFile, request.Action == "deploy" && usesRegistry), runner, local, log, envFile);
    }

    /// <summary>Every host whose roles run a selected service, all connected at once; hosts that run none are not even locked.</summary>
    private async Task<IReadOnlyList<HostOutcome>> FleetAsync(DeployRequest request, CancellationToken cancellation)
    {
        var fleet = hosts.Select(h => (Host: h, Services: FleetHost.ServicesOn(h, request.Services, environment.Roles)))
            .Where(h => h.Services.Count > 0)
            .Select(h => new FleetHost(h.Host.Label, TransactionOf(h.Host, request), request with
            {
                Services = h.Services,
                Versions = request.Versions.Where(v => h.Services.Any(s => s.VersionVariable == v.Key)).ToDictionary(v => v.Key, v => v.Value),
            }))
            .ToList();
        if (fleet.Count == 0) throw new DeployInputException($"No host of {request.EnvironmentName} runs {string.Join(", ", request.Services)} (see its roles).");
        await Task.WhenAll(fleet.Select(f => hosts.First(t => t.Label == f.Host).Runner).OfType<SshCommandRunner>().Select(r => r.ConnectAsync(cancellation)));
        return await new FleetDeployer(environment, fleet, log).RunAsync(request, config, cancellation);
    }
}
