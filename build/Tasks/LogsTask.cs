using Octavios.Deploy.Operations;
using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Logs")]
[TaskDescription("The last --tail lines (default 100) of each selected service's containers on every host (lines prefixed by host), or those since --log-since, over the deploy connection; secrets masked.")]
public sealed class LogsTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        await context.LearnSecretsAsync();
        var answers = await EveryHost.RunAsync(context.RealHosts, async host =>
        {
            var blocks = new List<string>();
            foreach (var service in context.Services)
            {
                var containers = ServiceContainer.Parse((await host.Runner.RunAsync(
                    ContainerCommands.OfService(context.Config.Compose.Project, service.ComposeService), context.Cancellation)).StandardOutput);
                foreach (var container in containers)
                {
                    var logs = await host.Runner.RunAsync(DockerCommands.Logs(container.Id, context.Options.Tail ?? 100, context.Options.LogSince), context.Cancellation);
                    blocks.Add($"--- {service.Name} ({container.Id[..12]}, {container.State}) ---\n{logs.StandardOutput}{logs.StandardError}".TrimEnd());
                }
            }

            return blocks;
        }, context.Cancellation);
        // Each host's logs whole, in the hosts' order: lines of several hosts never interleave.
        foreach (var line in EveryHost.Prefixed(answers, blocks => blocks)) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Logs");
    }
}
