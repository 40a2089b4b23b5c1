using Octavios.Build.Host;
using Octavios.Deploy.Maintenance;

namespace Octavios.Build.Tasks;

[TaskName("Prune")]
[TaskDescription("Removes service images older than the running version and prune.keep previous ones; never one a container uses or the rollback needs. --dryrun lists them.")]
public sealed class PruneTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var removed = await new Pruner(context.RealTarget.Runner, context.DeployLog).RunAsync(context.Config, context.Services, context.DryRun);
        context.FinalOutput = string.Join(' ', removed.Select(r => r.Reference));
    }
}
