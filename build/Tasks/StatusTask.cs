using Octavios.Build.Host;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tasks;

[TaskName("Status")]
[TaskDescription("What runs on every host of the target (or --hosts): per service the running version against versions.env, image, state, health, uptime, restarts; the deploy lock's holder; an unfinished change. JSON with --report.")]
public sealed class StatusTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var answers = await EveryHost.RunAsync(context.RealHosts, host => ServerStatus.ReadAsync(context.Config, context.Services, host.Runner,
                context.Options.Environment.Kind == EnvironmentKind.Swarm, context.Cancellation),
            context.Cancellation);
        context.Publish(answers.SelectMany(a => a.Failure is null ? a.Value!.TableLines() : [a.Host, $"FAILED: {a.Failure.Split('\n')[0]}"]),
            answers.Count == 1 && answers[0].Value is { } single ? single.Json() : $"[{string.Join(",\n", answers.Select(a => a.Value?.Json() ?? System.Text.Json.JsonSerializer.Serialize(new { target = a.Host, failure = a.Failure })))}]",
            null);
        EveryHost.ThrowIfAnyFailed(answers, "Status");
    }
}
