using Octavios.Build.Host;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Push")]
[TaskDescription("Pushes every tag to the registry in parallel, retrying transient failures; prints each digest. Never prompts.")]
[IsDependentOn(typeof(TagTask))]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class PushTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context)
    {
        if (!context.UsesRegistry)
            return TaskCriterion.Skip($"environment '{context.EnvironmentName}' does not take its images from the registry (push: false, or --transfer=ssh)");
        return context.HasServices();
    }

    public override async Task RunAsync(BuildContext context)
    {
        await context.EnsureRegistryAccessAsync();
        var images = await context.ImagesToShipAsync();
        if (images.Count == 0)
        {
            context.DeployLog.Information("Nothing to push: every image is already on the registry");
            return;
        }

        await new ImagePipeline(context.Local, context.DeployLog)
            .PushAsync(images, context.Config.Registry, context.RegistryCredentials, PushRetry.BaseDelay);
    }
}
