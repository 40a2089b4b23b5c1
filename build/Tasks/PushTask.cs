using Octavios.Build.Host;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Push")]
[TaskDescription("Pushes every tag of each image to the registry (environments with push: true).")]
[IsDependentOn(typeof(TagTask))]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class PushTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context)
    {
        if (!context.TargetEnvironment.Push)
            return TaskCriterion.Skip($"environment '{context.EnvironmentName}' runs the images where they were built (push: false)");
        return context.HasServices();
    }

    public override Task RunAsync(BuildContext context) =>
        new ImagePipeline(context.Local, context.DeployLog).PushAsync(context.Images, context.Config.Registry, context.RegistryCredentials);
}
