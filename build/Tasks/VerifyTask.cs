using Octavios.Build.Host;
using Octavios.Deploy.Health;

namespace Octavios.Build.Tasks;

[TaskName("Verify")]
[TaskDescription("Checks the running services' HTTP health endpoints from the target (alone with --exclusive).")]
[IsDependentOn(typeof(DeployTask))]
public sealed class VerifyTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override Task RunAsync(BuildContext context) =>
        new HttpHealthVerifier(context.Target.Runner, context.DeployLog).VerifyAsync(context.Config, context.Services);
}
