using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Operations;

/// <summary>What a command run by Exec printed on one host, and how it exited.</summary>
public sealed record ExecResult(int ExitCode, string Output);

/// <summary>
/// A user's command for one service on a host: in a running container of the service (the first that runs), or with
/// <c>version</c> in a fresh one-off container of that release (<c>compose run --rm --no-deps</c>, the environment's env
/// file). Never interactive: no standard input, no terminal. Output is masked by the runner, as every output is.
/// </summary>
public sealed class ContainerExec(SuiteConfig config, SelectedService service, string command, string? version, string? envFile, IDeployLog log)
{
    /// <summary>How long the command may run on the server before it is stopped.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    public async Task<ExecResult> RunAsync(ICommandRunner host, CancellationToken cancellation)
    {
        Command exec;
        if (version is not null)
        {
            var flavor = await ComposeFlavorProbe.DetectAsync(host, log, config.Compose.Flavor, cancellation);
            var versions = new Dictionary<string, string> { [service.VersionVariable] = version };
            exec = ComposeCommands.ForProject(config, flavor, envFile, versions).RunOnce(service.ComposeService, command, Timeout);
        }
        else
        {
            exec = ContainerCommands.Exec(await RunningContainerAsync(host, cancellation), command, Timeout);
        }

        var result = await host.TryRunAsync(exec, cancellation);
        return new ExecResult(result.ExitCode, result.StandardOutput + result.StandardError);
    }

    /// <summary>The id of the first running container of the service on the host.</summary>
    public async Task<string> RunningContainerAsync(ICommandRunner host, CancellationToken cancellation) =>
        (ServiceContainer.Parse((await host.RunAsync(ContainerCommands.OfService(config.Compose.Project, service.ComposeService), cancellation)).StandardOutput)
             .FirstOrDefault(c => c.State == "running")
         ?? (host.IsDryRun ? new ServiceContainer($"<running {service.Name} container>", "running", "") : null)
         ?? throw new InvalidOperationException($"[{host.Target}] no container of {service.Name} is running: nothing to run the command in (give --version to run it in a new one)."))
        .Id;
}
