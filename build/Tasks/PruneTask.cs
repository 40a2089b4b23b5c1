using Octavios.Deploy.Records;
using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Maintenance;

namespace Octavios.Build.Tasks;

[TaskName("Prune")]
[TaskDescription("Under the deploy lock: removes service images older than the running version and prune.keep previous ones; never one a container uses or a rollback needs. --dryrun lists them.")]
public sealed class PruneTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var target = context.RealTarget.Runner;
        // A dry run reads the server but changes nothing, so it takes no lock.
        await using var held = context.DryRun ? null : await HeldLock.TakeAsync(target, context.DeployLog, context.Config.Deploy,
            context.Requests.Owner("prune " + string.Join(' ', context.Services)), context.Options.LockWait, context.Requests.UnlockHint, context.Cancellation);
        var removed = await new Pruner(target, context.DeployLog).RunAsync(context.Config, context.Services, context.DryRun, context.Cancellation);
        context.FinalOutput = string.Join(' ', removed.Select(r => r.Reference));
    }
}
