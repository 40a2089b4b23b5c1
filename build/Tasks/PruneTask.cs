using Octavios.Deploy.Operations;
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
        var owner = context.Requests.Owner("prune " + string.Join(' ', context.Services));
        var answers = await EveryHost.RunAsync(context.RealHosts, async host =>
        {
            // A dry run reads the server but changes nothing, so it takes no lock.
            await using var held = context.DryRun ? null : await HeldLock.TakeAsync(host.Runner, context.DeployLog, context.Config.Deploy,
                owner, context.Options.LockWait, context.Requests.UnlockHint, context.Cancellation);
            return await new Pruner(host.Runner, context.DeployLog).RunAsync(context.Config, context.Services, context.DryRun, context.Cancellation);
        }, context.Cancellation);
        context.FinalOutput = string.Join(' ', answers.SelectMany(a => a.Value ?? []).Select(r => r.Reference).Distinct());
        EveryHost.ThrowIfAnyFailed(answers, "Prune");
    }
}
