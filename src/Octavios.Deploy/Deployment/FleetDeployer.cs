using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>How one host of a fleet ended a rollout.</summary>
public sealed record HostOutcome(string Host, bool Failed, string Result, IReadOnlyList<string> Services, IReadOnlyDictionary<string, string> Versions);

/// <summary>One host's part of a fleet rollout: its transaction and what it deploys (its roles' share of the selected services).</summary>
public sealed record FleetHost(string Host, DeployTransaction Transaction, DeployRequest Request)
{
    /// <summary>
    /// The selected services a host runs: a service with a role runs only on the hosts its role names (by address or
    /// host name); a service without one runs everywhere.
    /// </summary>
    public static IReadOnlyList<SelectedService> ServicesOn(DeployTarget target, IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, List<string>> roles) =>
        services.Where(s => !roles.TryGetValue(s.Name, out var hosts) || hosts.Any(target.IsNamedBy)).ToList();
}

/// <summary>
/// One release to every host of a fleet, each host by its own <see cref="DeployTransaction"/> over its own connection,
/// all at once, held together by a <see cref="FleetBarrier"/>: every lock before anything changes (the hooks then run
/// once for all), every pull before any container is touched, batches gated healthy one after the other. A host that
/// fails is put back by its own transaction; the fleet then stops, and the hosts already updated go back too unless the
/// environment allows a mixed fleet.
/// </summary>
public sealed class FleetDeployer(EnvironmentConfig environment, IReadOnlyList<FleetHost> hosts, IDeployLog log)
{
    public async Task<IReadOnlyList<HostOutcome>> RunAsync(DeployRequest request, SuiteConfig config, CancellationToken cancellation = default)
    {
        var batches = HostBatches.Of(hosts.Count, environment.BatchSize);
        var names = hosts.Select(h => h.Host).ToList();
        var steps = hosts[0].Transaction.Steps;
        var barrier = new FleetBarrier(batches, environment.RollbackUpdatedHosts, (stage, token) =>
            steps.HooksAsync(stage == "pre-deploy" ? config.Deploy.Hooks.PreDeploy : config.Deploy.Hooks.PostDeploy, stage, request, names, token));
        log.Information($"fleet of {hosts.Count}: {string.Join(", ", hosts.Select((h, i) => $"{h.Host} (batch {batches[i] + 1})"))}");
        return await Task.WhenAll(hosts.Select((host, i) => OneHostAsync(host, barrier, i, cancellation)));
    }

    private async Task<HostOutcome> OneHostAsync(FleetHost fleetHost, FleetBarrier barrier, int index, CancellationToken cancellation)
    {
        var (host, request) = (fleetHost.Host, fleetHost.Request);
        var transaction = fleetHost.Transaction.InFleet(barrier.For(index));
        try
        {
            var done = await transaction.RunAsync(request, cancellation);
            barrier.Ended(index, failed: false, stopped: false);
            return new HostOutcome(host, false, "updated", request.ServiceNames, done.To);
        }
        catch (FleetStoppedException stopped)
        {
            barrier.Ended(index, failed: false, stopped: true);
            return new HostOutcome(host, false, stopped.Message[(stopped.Message.IndexOf(']') + 2)..], request.ServiceNames, request.Versions);
        }
        catch (Exception failure)
        {
            // The table keeps the first line; the rest says what the host's records hold and what the next run does.
            log.Error($"[{host}] {failure.Message}");
            barrier.Ended(index, failed: true, stopped: false);
            return new HostOutcome(host, true, failure.Message.Split('\n')[0], request.ServiceNames, request.Versions);
        }
    }

    /// <summary>The summary: one row per host and service of <paramref name="services"/>, with the version asked for and what became of it.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<HostOutcome> outcomes, IReadOnlyList<SelectedService> services)
    {
        var rows = outcomes.SelectMany(o => o.Services.Select(s => (o.Host, Service: s, Version: o.Versions.GetValueOrDefault(services.First(p => p.Name == s).VersionVariable) ?? "-", o.Result))).ToList();
        var hostWidth = rows.Select(r => r.Host.Length).Append(4).Max();
        var serviceWidth = rows.Select(r => r.Service.Length).Append(7).Max();
        var versionWidth = rows.Select(r => r.Version.Length).Append(7).Max();
        yield return $"{"HOST".PadRight(hostWidth)}  {"SERVICE".PadRight(serviceWidth)}  {"VERSION".PadRight(versionWidth)}  RESULT";
        foreach (var row in rows)
            yield return $"{row.Host.PadRight(hostWidth)}  {row.Service.PadRight(serviceWidth)}  {row.Version.PadRight(versionWidth)}  {row.Result}";
    }
}
