using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Execution;

/// <summary>--dryrun: prints each command, secrets masked, and runs none; every command "succeeds" with no output.</summary>
public sealed class DryRunCommandRunner(string target, IDeployLog log) : ICommandRunner
{
    public string Target => target;

    public bool IsDryRun => true;

    public Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default)
    {
        log.Information($"[dry run] [{target}] {command.Display()}");
        return Task.FromResult(new CommandResult(0, "", ""));
    }
}
