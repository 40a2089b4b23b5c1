using Octavios.Build.Host;
using Octavios.Deploy.Deployment;

namespace Octavios.Build.Tasks;

[TaskName("Rollback")]
[TaskDescription("Puts the selected services back on --version (an earlier release) through the same health gate.")]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class RollbackTask : BuildTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) =>
        new ComposeDeployer(context.Target.Runner, context.DeployLog).DeployAsync(context.DeployPlan(context.RequireVersion()), context.Config.Registry, context.RegistryCredentials);
}
