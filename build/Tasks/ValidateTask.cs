using Octavios.Build.Host;
using Octavios.Deploy.Validation;

namespace Octavios.Build.Tasks;

[TaskName("Validate")]
[TaskDescription("Pre-deploy gate: configuration, env file and compose files checked; never builds, pushes or changes the server.")]
[IsDependentOn(typeof(DetectTask))]
public sealed class ValidateTask : BuildTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) =>
        new DeployValidator(context.Target.Runner, context.DeployLog).ValidateAsync(context.Config, context.TargetEnvironment, context.EnvFile, context.Services);
}
