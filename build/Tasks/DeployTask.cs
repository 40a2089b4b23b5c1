using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Deploy")]
[TaskDescription("Under the server's deploy lock: hooks, backup, compose files uploaded, versions recorded, exactly the selected services pulled and recreated (depends_on order), health gate with automatic rollback, audit log.")]
[IsDependentOn(typeof(ValidateTask))]
[IsDependentOn(typeof(PushTask))]
public sealed class DeployTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context)
    {
        await context.ChangeAsync(await context.DeployRequestAsync("deploy", DeployRequestFactory.VersionsOf(context.Services, context.RequireVersion())));
        await PromoteLatestAsync(context);
    }

    // latest names what runs: it moves only now that the release is deployed and healthy.
    private static async Task PromoteLatestAsync(BuildContext context)
    {
        if (context.Config.Tags.Latest && context.Config.Tags.LatestAt == "deploy")
            await new ImagePipeline(context.Local, context.DeployLog).PromoteLatestAsync(context.Release.Images,
                context.Options.UsesRegistry ? context.Config.Registry : null, context.Release.EnvironmentCredentials(), PushRetry.BaseDelay, context.Cancellation);
    }
}
