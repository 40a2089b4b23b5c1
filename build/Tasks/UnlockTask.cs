using Octavios.Deploy.Operations;
using Octavios.Deploy.Records;
using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Unlock")]
[TaskDescription("Releases the deploy lock left by a run that died holding it; a lock whose holder still beats is refused unless --force.")]
public sealed class UnlockTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var answers = await EveryHost.RunAsync(context.Hosts, host => UnlockAsync(context, host.Runner), context.Cancellation);
        foreach (var line in EveryHost.Prefixed(answers, said => said)) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Unlock");
    }

    private static async Task<IReadOnlyList<string>> UnlockAsync(BuildContext context, ICommandRunner runner)
    {
        var holder = await new DeployLock(runner, context.DeployLog).InspectAsync(context.Cancellation);
        if (!holder.Held) return ["No deploy lock was held"];

        var alive = !holder.IsAbandoned(TimeSpan.FromSeconds(context.Config.Deploy.LockStaleSeconds)) && holder.Token is not null;
        if (alive && !context.Options.Force)
            throw new InvalidOperationException(
                $"The deploy lock is held by {holder.Describe()}, whose heartbeat is {holder.HeartbeatAgeSeconds} s old: that run is alive. " +
                "Breaking its lock would let two deploys run at once. Wait for it, or stop it; --force breaks it anyway.");
        await runner.RunAsync(LockCommands.Break(null), context.Cancellation);
        var said = new List<string> { $"Released the deploy lock held by {holder.Describe()}" + (alive ? " (--force: its holder was alive)" : "") };
        var records = ServerRecords.Parse((await runner.RunAsync(ServerRecords.Read(), context.Cancellation)).StandardOutput);
        if (records.Journal is { } journal)
            said.Add($"WARNING: an unfinished {journal.Describe()} is recorded: the next Deploy or Rollback puts back what the records name first.");
        return said;
    }
}
