using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>
/// The user's own steps around a change, the same on every kind of target (a server, each fleet, a Swarm's manager):
/// local hooks, and the backup on the target. Both run under the target's deploy lock; either failing stops the change.
/// </summary>
public sealed class DeploySteps(SuiteConfig config, ICommandRunner target, ICommandRunner local, IDeployLog log)
{
    /// <summary>Runs hooks on this machine; <paramref name="hosts"/>: the target, or every host of a fleet when they run once for all.</summary>
    public async Task HooksAsync(IEnumerable<string> hooks, string stage, DeployRequest request, IReadOnlyList<string> hosts, CancellationToken cancellation)
    {
        foreach (var hook in hooks)
        {
            var result = await local.TryRunAsync(HookCommands.Hook(hook, stage, request.Action, request.EnvironmentName, request.ServiceNames,
                request.Versions.Values, hosts), cancellation);
            if (!result.Succeeded)
                throw new DeployFailedException($"{stage} hook failed (exit {result.ExitCode}): {hook}\n{result.StandardError.Trim()}");
        }
    }

    /// <summary>Runs the configured backup on the target; its output is kept with a timestamp, and a failure stops the deploy.</summary>
    public async Task BackupAsync(CancellationToken cancellation)
    {
        var backup = config.Deploy.Backup;
        if (backup.Command.Length == 0) throw new DeployFailedException("A backup was asked for (BACKUP_DB=true or deploy.backup.enabled) but deploy.backup.command is empty.");
        var file = $"backup-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{backup.Extension}";
        var result = await target.TryRunAsync(HookCommands.Backup(backup.Directory, backup.Command, file), cancellation);
        if (!result.Succeeded) throw new DeployFailedException($"The backup failed, so nothing was deployed: {result.StandardError.Trim()}");
        if (!target.IsDryRun) log.Information($"[{target.Target}] backup kept as {backup.Directory}/{file}");
    }
}
