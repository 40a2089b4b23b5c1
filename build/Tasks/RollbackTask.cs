using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Rollback")]
[TaskDescription("Returns the selected services to the versions they ran before their last successful change (or to --version), under the deploy lock, through the same health gate, never pulling.")]
[RequiresArgument(BuildArguments.Services)]
public sealed class RollbackTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        await context.LoadEnvFileAsync();
        IReadOnlyDictionary<string, string> versions;
        if (context.Options.Version is { } version)
        {
            versions = context.Requests.VersionsOf(context.Services, version);
        }
        else
        {
            var previous = ServerRecords.Parse((await context.Target.Runner.RunAsync(ServerRecords.Read(), context.Cancellation)).StandardOutput).Previous;
            var missing = context.Services.Where(s => !previous.ContainsKey(context.Config.Services[s].VersionVariable)).ToList();
            if (missing.Count > 0 && !context.DryRun)
                throw new InvalidOperationException($"No previous version is recorded for {string.Join(", ", missing)} on {context.Target.Label}: give one with --version=X.Y.Z.");
            versions = context.Services.Select(s => context.Config.Services[s].VersionVariable)
                .ToDictionary(v => v, v => previous.GetValueOrDefault(v) ?? "<previous>");
        }

        context.DeployLog.Information($"Rolling back to {string.Join(", ", versions.Select(v => $"{v.Key}={v.Value}"))}");
        var request = context.DeployRequest("rollback", versions);
        if (context.Options.Environment.Kind == Deploy.Configuration.EnvironmentKind.Swarm)
            await context.SwarmDeployer().RunAsync(request, await context.LoadEnvFileAsync(), context.Cancellation);
        else if (context.Hosts.Count > 1)
            await context.DeployFleetAsync(request);
        else
            // The rollback image is on the server (Prune keeps it): a registry that is down cannot stop a rollback.
            await context.Deployer(pull: false).RunAsync(request, context.Cancellation);
    }
}
