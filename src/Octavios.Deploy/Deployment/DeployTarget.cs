using Octavios.Deploy.Output;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Deployment;

/// <summary>Where an environment's containers run, and the runner that reaches them; a server's parsed address (none for the local engine).</summary>
public sealed record DeployTarget(string Label, ICommandRunner Runner, bool IsLocal, ServerAddress? Address = null)
{
    /// <summary>Whether a role's host entry names this target: its whole address or its host name.</summary>
    public bool IsNamedBy(string name) => Address is { } address ? Names(address, name) : name == Label;

    /// <summary>
    /// Every host of the environment: the local engine; one server; or a fleet, from the configuration's hosts or
    /// several addresses in its server variable; <paramref name="only"/> (--hosts) keeps some of them.
    /// </summary>
    public static IReadOnlyList<DeployTarget> CreateAll(EnvironmentConfig environment, bool dryRun, ICommandRunner localRunner,
        IDeployLog log, SecretMasker masker, Func<string, string?> variables, SshSettings ssh, IReadOnlyCollection<string> only)
    {
        if (environment.Kind == EnvironmentKind.Local) return [new DeployTarget("local", localRunner, true)];

        var directory = Required(environment.ProjectDirFrom, "the project directory on the server", dryRun, log, variables);
        var source = environment.Hosts.Count > 0 ? "hosts" : environment.ServerFrom;
        var hosts = environment.Hosts.Count > 0 ? string.Join(',', environment.Hosts) : Required(environment.ServerFrom, "the server as user@host", dryRun, log, variables);
        if (dryRun && hosts.StartsWith('<')) return [new DeployTarget(hosts, new DryRunCommandRunner($"{hosts}:{directory}", log), false)];
        var addresses = ServerAddress.ParseList(hosts, source);
        if (only.Count > 0)
        {
            var unknown = only.Where(o => !addresses.Any(a => Names(a, o))).ToList();
            if (unknown.Count > 0)
                throw new DeployInputException($"--hosts names {string.Join(", ", unknown)}, not a host of this environment ({string.Join(", ", addresses)}).");
            addresses = addresses.Where(a => only.Any(o => Names(a, o))).ToList();
        }

        return addresses.Select(address => dryRun
            ? new DeployTarget(address.ToString(), new DryRunCommandRunner($"{address}:{directory}", log), false, address)
            : new DeployTarget(address.ToString(), new SshCommandRunner(address, directory, ssh, log, masker), false, address)).ToList();
    }

    private static bool Names(ServerAddress address, string name) => name == address.ToString() || name.Trim('[', ']') == address.Host;

    private static string Required(string variable, string what, bool dryRun, IDeployLog log, Func<string, string?> variables)
    {
        if (variables(variable) is { Length: > 0 } value) return value;
        if (!dryRun) throw new DeployInputException($"{variable} is not set: it names {what}.");
        log.Warning($"{variable} is not set ({what}); the dry run shows <{variable}> in its place.");
        return $"<{variable}>";
    }
}
