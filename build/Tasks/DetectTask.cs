using Cake.Core.Diagnostics;
using Octavios.Build.Host;
using Octavios.Deploy.Detection;

namespace Octavios.Build.Tasks;

[TaskName("Detect")]
[TaskDescription("Finds the services whose files changed since --since (used by --services=changed).")]
public sealed class DetectTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) =>
        context.Selection.IsChanged ? TaskCriterion.Run : TaskCriterion.Skip("--services names the services, nothing to detect");

    public override void Run(BuildContext context)
    {
        var detection = ChangeDetector.Detect(context.Config, context.Since);
        context.Log.Information("Changes {0}..{1}: {2} file(s)", detection.Since, detection.Head, detection.ChangedPaths.Count);
        foreach (var change in detection.Services)
        {
            context.Log.Information("  {0,-14} {1}", change.Service, string.Join(", ", change.Files.Take(5)) + (change.Files.Count > 5 ? $" (+{change.Files.Count - 5})" : ""));
        }

        context.Services = detection.Services.Select(s => s.Service).ToList();
        // Last line: the plain list, for scripts that read it with `| tail -1`.
        context.Log.Information("{0}", string.Join(' ', context.Services));
    }
}
