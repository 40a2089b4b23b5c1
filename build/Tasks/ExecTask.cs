using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tasks;

[TaskName("Exec")]
[TaskDescription("Runs --command in a running container of the one --services given on every host that runs it (or --hosts), or with --version in a fresh one-off container of that release; output masked, its exit code passed through; never interactive.")]
public sealed class ExecTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var service = context.OneService("Exec");
        if (context.Options.Interactive)
            throw new BuildInputException("--interactive is not supported yet: Exec never attaches a terminal. Run the command without it, or open a shell on the server (ssh -t).");
        await context.LearnSecretsAsync();
        var hosts = context.HostsRunning(service, real: false);
        var exec = new ContainerExec(context.Config, service, context.Options.Command!, context.Options.Version?.ToString(), context.Options.EnvFile.TargetPath, context.DeployLog);
        var answers = await EveryHost.RunAsync(hosts, host => exec.RunAsync(host.Runner, context.Cancellation), context.Cancellation);
        // The command's own output, as it printed it (masked), each host's whole.
        foreach (var line in EveryHost.Prefixed(answers, result => result.Output.Length == 0 ? [] : [result.Output.TrimEnd('\n')])) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Exec");
        if (answers.FirstOrDefault(a => a.Value!.ExitCode != 0) is { } failed)
            throw new PassedThroughExitException($"{(answers.Count > 1 ? $"[{failed.Host}] " : "")}the command exited {failed.Value!.ExitCode}", failed.Value.ExitCode);
    }
}
