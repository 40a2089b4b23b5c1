using Octavios.Build.Host;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Build")]
[TaskDescription("Builds the selected services' images with OCI labels, in parallel; skips a release the registry already holds from this commit.")]
[IsDependentOn(typeof(DetectTask))]
public sealed class BuildImagesTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context)
    {
        await context.EnsureRegistryAccessAsync();
        await new ImagePipeline(context.Local, context.DeployLog).BuildAsync(await context.ImagesToShipAsync(), context.Config.Build.Parallelism);
    }
}
