using Octavios.Build.Host;
using Octavios.Deploy.Deployment;

namespace Octavios.Build.Tasks;

[TaskName("Verify")]
[TaskDescription("From the target: health URLs answer, critical variables inside the containers match the env file (by hash), log errors since the deploy, CORS. Alone with --exclusive.")]
[IsDependentOn(typeof(DeployTask))]
public sealed class VerifyTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context)
    {
        var expected = context.Options.Version is { } version ? DeployRequestFactory.VersionsOf(context.Services, version) : null;
        var since = context.Plans("Deploy") ? context.StartedAt : DateTimeOffset.UtcNow.AddMinutes(-15);
        var problems = await context.Pipeline.VerifyAsync(context.Services, expected, context.LoadEnvFileAsync(), since, context.Cancellation);
        if (problems.Count > 0) throw new InvalidOperationException("Verify failed:\n  " + string.Join("\n  ", problems));
        if (!context.Target.Runner.IsDryRun)
            context.DeployLog.Information($"Verify passed for {string.Join(", ", context.Services)} on {string.Join(", ", context.Hosts.Select(h => h.Label))}");
    }
}
