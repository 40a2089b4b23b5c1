using Octavios.Build.Host;
using Octavios.Deploy.Deployment;

namespace Octavios.Build.Tasks;

[TaskName("Deploy")]
[TaskDescription("Recreates exactly the selected services at --version on the environment and waits until they are healthy.")]
[IsDependentOn(typeof(PushTask))]
[IsDependentOn(typeof(ValidateTask))]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class DeployTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override Task RunAsync(BuildContext context) =>
        new ComposeDeployer(context.Target.Runner, context.DeployLog).DeployAsync(context.DeployPlan(context.RequireVersion()), context.Config.Registry, context.RegistryCredentials);
}
