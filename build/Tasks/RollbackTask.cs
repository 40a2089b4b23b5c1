using Octavios.Build.Host;
using Octavios.Deploy.Deployment;

namespace Octavios.Build.Tasks;

[TaskName("Rollback")]
[TaskDescription("Returns the selected services to the versions they ran before their last successful change (or to --version), under the deploy lock, through the same health gate, never pulling.")]
public sealed class RollbackTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        // Without --version each server goes back to its own rollback targets, read under its lock.
        var request = context.Options.Version is { } version
            ? await context.DeployRequestAsync("rollback", DeployRequestFactory.VersionsOf(context.Services, version))
            : await context.DeployRequestAsync("rollback", DeployRequestFactory.VersionsOf(context.Services, "<previous>")) with { ToPrevious = true };
        context.DeployLog.Information($"Rolling back to {string.Join(", ", request.Versions.Select(v => $"{v.Key}={v.Value}"))}");
        await context.ChangeAsync(request);
    }
}
