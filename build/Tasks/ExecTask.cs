using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Operations;
using Octavios.Deploy.Remote;

namespace Octavios.Build.Tasks;

[TaskName("Exec")]
[TaskDescription("Runs --command in a running container of the one --services given on every host that runs it (or --hosts), or with --version in a fresh one-off container of that release; output masked, its exit code passed through; never interactive unless --interactive is given on a terminal (one host: this terminal attached to a running container).")]
public sealed class ExecTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        context.RequireComposeHosts("Exec");
        var service = context.OneService("Exec");
        var exec = new ContainerExec(context.Config, service, context.Options.Command!, context.Options.Version?.ToString(), context.Options.EnvFile.TargetPath, context.DeployLog);
        if (context.Options.Interactive)
        {
            await AttachAsync(context, service, exec);
            return;
        }

        await context.LearnSecretsAsync();
        var hosts = context.HostsRunning(service, real: false);
        var answers = await EveryHost.RunAsync(hosts, host => exec.RunAsync(host.Runner, context.Cancellation), context.Cancellation);
        // The command's own output, as it printed it (masked), each host's whole.
        foreach (var line in EveryHost.Prefixed(answers, result => result.Output.Length == 0 ? [] : [result.Output.TrimEnd('\n')])) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Exec");
        if (answers.FirstOrDefault(a => a.Value!.ExitCode != 0) is { } failed)
            throw new PassedThroughExitException($"{(answers.Count > 1 ? $"[{failed.Host}] " : "")}the command exited {failed.Value!.ExitCode}", failed.Value.ExitCode);
    }

    /// <summary>
    /// --interactive: this terminal attached to the command in a running container of one host (OpenSSH's client on a
    /// server). Only with a terminal here: a pipe or CI never gets a session that waits for input.
    /// </summary>
    private static async Task AttachAsync(BuildContext context, SelectedService service, ContainerExec exec)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
            throw new BuildInputException("--interactive needs a terminal, and this run's standard input or output is not one (a pipe, a CI job): run the command without --interactive.");
        if (context.Options.Version is not null)
            throw new BuildInputException("--interactive attaches to a running container: leave out --version.");
        var hosts = context.HostsRunning(service, real: true);
        if (hosts.Count != 1)
            throw new BuildInputException($"--interactive opens one terminal: give --hosts= one of {string.Join(", ", hosts.Select(h => h.Label))}.");
        var host = hosts[0];
        var attached = ContainerCommands.ExecAttached(await exec.RunningContainerAsync(host.Runner, context.Cancellation), context.Options.Command!);
        if (!host.IsLocal && host.Runner is SshCommandRunner ssh)
            attached = TerminalCommands.OverSsh(host.Address!, context.SshSettings, ssh.ProjectDirectory, attached);
        if (context.DryRun)
        {
            context.DeployLog.Information($"[dry run] would attach this terminal: {attached.Display()}");
            return;
        }

        // What the session prints goes to this terminal as it comes: nothing of it is captured, so nothing is masked.
        var exit = await AttachedProcess.RunAsync(attached, context.Cancellation);
        if (exit != 0) throw new PassedThroughExitException($"the command exited {exit}", exit);
    }
}
