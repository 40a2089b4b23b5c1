using Octavios.Build.Host;

namespace Octavios.Build.Tasks;

[TaskName("Deploy")]
[TaskDescription("Under the server's deploy lock: hooks, backup, compose files uploaded, versions recorded, exactly the selected services pulled and recreated (depends_on order), health gate with automatic rollback, audit log.")]
[IsDependentOn(typeof(PushTask))]
[IsDependentOn(typeof(ValidateTask))]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class DeployTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context)
    {
        await context.LoadEnvFileAsync();
        await context.Deployer().RunAsync(context.DeployRequest("deploy", context.VersionsOf(context.RequireVersion())));
    }
}
