using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Unlock")]
[TaskDescription("Releases the deploy lock on the server (after a deploy that died holding it).")]
public sealed class UnlockTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var holder = (await context.Target.Runner.RunAsync(RemoteFiles.Read($"{DeployLock.Directory}/owner.json"))).StandardOutput;
        await context.Target.Runner.RunAsync(DeployLock.Break());
        context.DeployLog.Information(LockOwner.Parse(holder) is { } owner ? $"Released the deploy lock held by {owner}" : "No deploy lock was held");
    }
}
