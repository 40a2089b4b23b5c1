using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Deployment;

/// <summary>Where an environment's containers run, and the runner that reaches them.</summary>
public sealed record DeployTarget(string Label, ICommandRunner Runner, bool IsLocal)
{
    /// <summary>The local engine, or the server named by the environment's variables (one SSH connection, opened on first use).</summary>
    public static DeployTarget Create(EnvironmentConfig environment, bool dryRun, ICommandRunner localRunner,
        IDeployLog log, SecretMasker masker, Func<string, string?> variables, SshSettings ssh)
    {
        if (environment.Kind == EnvironmentKind.Local) return new DeployTarget("local", localRunner, true);

        var server = Required(environment.ServerFrom, "the server as user@host", dryRun, log, variables);
        var directory = Required(environment.ProjectDirFrom, "the project directory on the server", dryRun, log, variables);
        if (dryRun) return new DeployTarget(server, new DryRunCommandRunner($"{server}:{directory}", log), false);
        var address = ServerAddress.Parse(server, environment.ServerFrom);
        return new DeployTarget(address.ToString(), new SshCommandRunner(address, directory, ssh, log, masker), false);
    }

    private static string Required(string variable, string what, bool dryRun, IDeployLog log, Func<string, string?> variables)
    {
        if (variables(variable) is { Length: > 0 } value) return value;
        if (!dryRun) throw new DeployInputException($"{variable} is not set: it names {what}.");
        log.Warning($"{variable} is not set ({what}); the dry run shows <{variable}> in its place.");
        return $"<{variable}>";
    }
}
