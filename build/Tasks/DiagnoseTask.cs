using System.Text.Json;
using Octavios.Build.Host;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tasks;

[TaskName("Diagnose")]
[TaskDescription("The troubleshooting checklist for the one --services given on every host that runs it: state and restarts, image labels, processes, the healthcheck run by hand, critical variables by hash against the env file, DNS and TCP to its depends_on from inside, the last 50 log lines. Read-only; JSON with --report.")]
public sealed class DiagnoseTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        context.RequireComposeHosts("Diagnose");
        var service = context.OneService("Diagnose");
        var envFile = await context.LoadEnvFileQuietlyAsync();
        var diagnosis = new Diagnosis(context.Config, context.ComposeFiles.Parsed(context.Config.Compose.Files), service, envFile);
        var hosts = context.HostsRunning(service, real: true);
        var answers = await EveryHost.RunAsync(hosts, host => diagnosis.RunAsync(host.Runner, context.Cancellation), context.Cancellation);
        context.Publish(EveryHost.Prefixed(answers, containers => Diagnosis.Lines(service.Name, containers)),
            JsonSerializer.Serialize(answers.ToDictionary(a => a.Host, a => (object?)a.Value ?? new { failure = a.Failure }), new JsonSerializerOptions { WriteIndented = true }), null);
        EveryHost.ThrowIfAnyFailed(answers, "Diagnose");
    }
}
