using Octavios.Deploy.Configuration;
using Octavios.Deploy.Operations;
using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tasks;

[TaskName("Logs")]
[TaskDescription("The last --tail lines (default 100) of each selected service's containers on every host (lines prefixed by host), or those since --log-since, over the deploy connection; a Swarm's services through its manager; secrets masked.")]
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
        var swarm = IsSwarm(context);
        var answers = await EveryHost.RunAsync(context.RealHosts, async host =>
        {
            var blocks = new List<string>();
            foreach (var source in await SourcesAsync(context, host))
            {
                var logs = await host.Runner.RunAsync(DockerCommands.Logs(source.Id, context.Options.Tail ?? 100, context.Options.LogSince, swarm), context.Cancellation);
                var lines = (logs.StandardOutput + logs.StandardError).Split('\n').Where(l => grep is null || l.Contains(grep, StringComparison.Ordinal));
                blocks.Add($"--- {source.Heading} ---\n{string.Join('\n', lines)}".TrimEnd());
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
            var sources = (await SourcesAsync(context, host)).Select(s => (s.Name, s.Id)).ToList();
            if (sources.Count == 0) throw new InvalidOperationException("no container of the selected services to follow");
            return await host.Runner.StreamAsync(DockerCommands.FollowLogs(sources, context.Options.Tail ?? 10, context.Options.Grep, IsSwarm(context)),
                line => context.DeployLog.Information(fleet ? $"[{host.Label}] {line}" : line), context.Cancellation);
        }, context.Cancellation);
        EveryHost.ThrowIfAnyFailed(answers, "Logs --follow");
    }

    private static bool IsSwarm(BuildContext context) => context.Options.Environment.Kind == EnvironmentKind.Swarm;

    /// <summary>What a host's logs come from: each selected service's containers there, or on a Swarm's manager each service (all its tasks).</summary>
    private static async Task<IReadOnlyList<(string Name, string Id, string Heading)>> SourcesAsync(BuildContext context, DeployTarget host)
    {
        if (IsSwarm(context))
            return context.Services.Select(s => (s.Name, $"{context.Config.Compose.Project}_{s.ComposeService}", $"{s.Name} (Swarm service)")).ToList();
        var found = new List<(string, string, string)>();
        foreach (var service in context.Services)
            found.AddRange(ServiceContainer.Parse((await host.Runner.RunAsync(ContainerCommands.OfService(context.Config.Compose.Project, service.ComposeService), context.Cancellation))
                .StandardOutput).Select(c => ($"{service.Name} {c.Id[..12]}", c.Id, $"{service.Name} ({c.Id[..12]}, {c.State})")));
        return found;
    }
}
