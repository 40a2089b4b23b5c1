using Octavios.Deploy.Configuration;
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
        if (context.Options.Follow)
        {
            await FollowAsync(context);
            return;
        }

        var grep = context.Options.Grep;
        var answers = await EveryHost.RunAsync(context.RealHosts, async host =>
        {
            var blocks = new List<string>();
            foreach (var (service, container) in await ContainersAsync(context, host))
            {
                var logs = await host.Runner.RunAsync(DockerCommands.Logs(container.Id, context.Options.Tail ?? 100, context.Options.LogSince), context.Cancellation);
                var lines = (logs.StandardOutput + logs.StandardError).Split('\n').Where(l => grep is null || l.Contains(grep, StringComparison.Ordinal));
                blocks.Add($"--- {service.Name} ({container.Id[..12]}, {container.State}) ---\n{string.Join('\n', lines)}".TrimEnd());
            }

            return blocks;
        }, context.Cancellation);
        // Each host's logs whole, in the hosts' order: lines of several hosts never interleave.
        foreach (var line in EveryHost.Prefixed(answers, blocks => blocks)) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Logs");
    }

    /// <summary>Every host's lines as they come, each named by its host (on a fleet) and its container, until Ctrl-C stops them all.</summary>
    private static async Task FollowAsync(BuildContext context)
    {
        var fleet = context.RealHosts.Count > 1;
        var answers = await EveryHost.RunAsync(context.RealHosts, async host =>
        {
            var containers = (await ContainersAsync(context, host)).Select(c => ($"{c.Service.Name} {c.Container.Id[..12]}", c.Container.Id)).ToList();
            if (containers.Count == 0) throw new InvalidOperationException("no container of the selected services to follow");
            return await host.Runner.StreamAsync(DockerCommands.FollowLogs(containers, context.Options.Tail ?? 10, context.Options.Grep),
                line => context.DeployLog.Information(fleet ? $"[{host.Label}] {line}" : line), context.Cancellation);
        }, context.Cancellation);
        EveryHost.ThrowIfAnyFailed(answers, "Logs --follow");
    }

    private static async Task<IReadOnlyList<(SelectedService Service, ServiceContainer Container)>> ContainersAsync(BuildContext context, DeployTarget host)
    {
        var found = new List<(SelectedService, ServiceContainer)>();
        foreach (var service in context.Services)
            found.AddRange(ServiceContainer.Parse((await host.Runner.RunAsync(ContainerCommands.OfService(context.Config.Compose.Project, service.ComposeService), context.Cancellation))
                .StandardOutput).Select(c => (service, c)));
        return found;
    }
}
