using Octavios.Build.Host;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Build")]
[TaskDescription("Builds the selected services' images with OCI labels, tagged with the release version.")]
[IsDependentOn(typeof(DetectTask))]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class BuildImagesTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override Task RunAsync(BuildContext context) => new ImagePipeline(context.Local, context.DeployLog).BuildAsync(context.Images);
}
