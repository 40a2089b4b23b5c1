using Octavios.Build.Host;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Tag")]
[TaskDescription("Adds the X.Y.Z-YYYYMMDD-HHMM (UTC) and latest tags to each built image.")]
[IsDependentOn(typeof(BuildImagesTask))]
public sealed class TagTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context) =>
        await new ImagePipeline(context.Local, context.DeployLog).TagAsync(await context.ImagesToShipAsync());
}
