using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Logs")]
[TaskDescription("The last --tail lines (default 100) of each selected service's containers, or those since --log-since, over the deploy connection; secrets masked.")]
public sealed class LogsTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        await context.LearnSecretsAsync();
        var runner = context.RealTarget.Runner;
        foreach (var service in context.Services)
        {
            var containers = ServiceContainer.Parse((await runner.RunAsync(
                ContainerCommands.OfService(context.Config.Compose.Project, service.ComposeService), context.Cancellation)).StandardOutput);
            foreach (var container in containers)
            {
                var logs = await runner.RunAsync(DockerCommands.Logs(container.Id, context.Options.Tail ?? 100, context.Options.LogSince), context.Cancellation);
                context.DeployLog.Information($"--- {service} ({container.Id[..12]}, {container.State}) ---\n{logs.StandardOutput}{logs.StandardError}".TrimEnd());
            }
        }
    }
}
