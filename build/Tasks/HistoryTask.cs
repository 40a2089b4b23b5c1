using Octavios.Deploy.Records;
using System.Globalization;
using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tasks;

[TaskName("History")]
[TaskDescription("Each host's audit log as a table: the last --tail entries (default 20), of the --services given; JSON with --report.")]
public sealed class HistoryTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        await context.LearnSecretsAsync();
        var tail = context.Options.Tail ?? 20;
        // Read generously, then filter by service: the last N entries of backend may be older than the last N lines.
        var filter = context.Services.Count == context.Config.Services.Count ? null : context.Services.Select(s => s.Name).ToHashSet();
        var answers = await EveryHost.RunAsync(context.RealHosts, async host =>
        {
            var log = (await host.Runner.RunAsync(RemoteFiles.Tail(AuditEntry.File, tail * 20), context.Cancellation)).StandardOutput;
            var history = DeployHistory.Parse(log, filter);
            return history with { Entries = history.Entries.TakeLast(tail).ToList() };
        }, context.Cancellation);
        context.Publish(EveryHost.Prefixed(answers, h => h.TableLines()),
            answers.Count == 1 && answers[0].Value is { } single ? single.Json()
                : System.Text.Json.JsonSerializer.Serialize(answers.ToDictionary(a => a.Host, a => (object?)a.Value?.Entries ?? new { failure = a.Failure })),
            null);
        EveryHost.ThrowIfAnyFailed(answers, "History");
    }
}
