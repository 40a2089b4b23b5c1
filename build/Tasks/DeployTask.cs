using Octavios.Build.Host;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tasks;

[TaskName("Deploy")]
[TaskDescription("Under the server's deploy lock: hooks, backup, compose files uploaded, versions recorded, exactly the selected services pulled and recreated (depends_on order), health gate with automatic rollback, audit log.")]
[IsDependentOn(typeof(ValidateTask))]
[IsDependentOn(typeof(PushTask))]
[RequiresArgument(BuildArguments.Services)]
[RequiresArgument(BuildArguments.Version)]
public sealed class DeployTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context)
    {
        await context.LoadEnvFileAsync();
        var request = context.DeployRequest("deploy", context.Requests.VersionsOf(context.Services, context.RequireVersion()));
        if (context.Options.Environment.Kind == Deploy.Configuration.EnvironmentKind.Swarm)
        {
            var swarm = await context.SwarmDeployer().RunAsync(request, await context.LoadEnvFileAsync(), context.Cancellation);
            context.Publish([], swarm.ToJsonLine(), null);
            await PromoteLatestAsync(context);
            return;
        }

        if (context.Hosts.Count > 1)
        {
            await context.DeployFleetAsync(request);
            await PromoteLatestAsync(context);
            return;
        }

        var done = await context.Deployer(pull: true).RunAsync(request, context.Cancellation);
        context.Publish([], done.ToJsonLine(), $"### Deploy to {context.Options.EnvironmentName}: {done.Result} in {done.DurationSeconds:0.0} s\n\n| variable | from | to |\n|---|---|---|\n" +
            string.Concat(done.To.Select(t => $"| {t.Key} | {done.From.GetValueOrDefault(t.Key) ?? "-"} | {t.Value} |\n")));
        await PromoteLatestAsync(context);
    }

    // latest names what runs: it moves only now that the release is deployed and healthy.
    private static async Task PromoteLatestAsync(BuildContext context)
    {
        if (context.Config.Tags.Latest && context.Config.Tags.LatestAt == "deploy")
            await new ImagePipeline(context.Local, context.DeployLog).PromoteLatestAsync(context.Release.Images,
                context.Options.UsesRegistry ? context.Config.Registry : null, context.Release.EnvironmentCredentials(), PushRetry.BaseDelay, context.Cancellation);
    }
}
