using Octavios.Build.Host;
using Octavios.Deploy.Validation;

namespace Octavios.Build.Tasks;

[TaskName("Validate")]
[TaskDescription("Pre-deploy gate: env file, secrets, images on the registry, compose files and lint, git, SSH and the server. Changes nothing.")]
[IsDependentOn(typeof(DetectTask))]
public sealed class ValidateTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var report = await new DeployValidator(context.Local, () => context.Hosts.Select(h => h.Runner).ToList(), context.Release.Registry, context.DeployLog)
            .RunAsync(context.ValidationRequest());
        context.Publish(report.TableLines(), report.Json(), report.Markdown());
        context.GitHub.Annotate(report.Findings);
        if (context.DryRun) context.DeployLog.Information("(dry run: nothing was checked on the server or the registry)");
        else if (!report.Passed) throw new ValidationFailedException(report);
    }
}
