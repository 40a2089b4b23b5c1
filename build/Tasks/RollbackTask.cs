using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Rollback")]
[TaskDescription("Returns the selected services to the versions recorded before the last change (or to --version), through the same health gate.")]
[RequiresArgument(BuildArguments.Services)]
public sealed class RollbackTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        await context.LoadEnvFileAsync();
        IReadOnlyDictionary<string, string> versions;
        if (context.Version is { } version)
        {
            versions = context.VersionsOf(version);
        }
        else
        {
            var previous = VersionsFile.Parse((await context.Target.Runner.RunAsync(RemoteFiles.Read(VersionsFile.Previous))).StandardOutput);
            var missing = context.Services.Where(s => !previous.ContainsKey(context.Config.Services[s].VersionVariable)).ToList();
            if (missing.Count > 0 && !context.DryRun)
                throw new InvalidOperationException($"No previous version is recorded for {string.Join(", ", missing)} on {context.Target.Label}: give one with --version=X.Y.Z.");
            versions = context.Services.Select(s => context.Config.Services[s].VersionVariable)
                .ToDictionary(v => v, v => previous.GetValueOrDefault(v) ?? "<previous>");
        }

        context.DeployLog.Information($"Rolling back to {string.Join(", ", versions.Select(v => $"{v.Key}={v.Value}"))}");
        await context.Deployer().RunAsync(context.DeployRequest("rollback", versions));
    }
}
