using System.Text.Json;
using Octavios.Build.Host;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Detection;

namespace Octavios.Build.Tasks;

[TaskName("Detect")]
[TaskDescription("Finds the services whose files changed since --since (used by --services=changed); the last line is the plain list.")]
public sealed class DetectTask : BuildTask<BuildContext>
{
    // Run as the target itself, Detect reports what changed whatever --services says.
    public override TaskCriterion ShouldRun(BuildContext context) =>
        context.Options.Selection.IsChanged || context.IsTarget("Detect") ? TaskCriterion.Run : TaskCriterion.Skip("--services names the services, nothing to detect");

    public override void Run(BuildContext context)
    {
        var detection = ChangeDetector.Detect(context.Config, context.Options.Since, context.Options.IncludeUncommitted);
        if (context.Options.Selection.IsChanged) context.Services = SelectedService.Of(context.Config, detection.Services.Select(s => s.Service));
        var width = context.Config.ServiceNames.Max(n => n.Length);
        var lines = detection.Services
            .Select(c => $"{c.Service.PadRight(width)}  {string.Join(", ", c.Files.Take(5))}{(c.Files.Count > 5 ? $" (+{c.Files.Count - 5} more)" : "")}")
            .Prepend($"Changes {detection.Since}..{detection.Head}{(context.Options.IncludeUncommitted ? " + uncommitted" : "")}: {detection.ChangedPaths.Count} file(s), {detection.Services.Count} service(s)");
        context.Publish(lines, JsonSerializer.Serialize(new
        {
            since = detection.Since,
            head = detection.Head,
            services = detection.Services.Select(s => new { name = s.Service, files = s.Files }),
        }, new JsonSerializerOptions { WriteIndented = true }),
            $"### Detect: {detection.Services.Count} service(s) changed since {detection.Since}\n\n| service | files |\n|---|---|\n" +
            string.Concat(detection.Services.Select(s => $"| {s.Service} | {string.Join(", ", s.Files.Take(5))} |\n")));
        context.FinalOutput = string.Join(' ', detection.Services.Select(s => s.Service));
        // Ready for a matrix: services as a space list and as a JSON array.
        context.GitHub.SetOutput("services", context.FinalOutput);
        context.GitHub.SetOutput("services_json", JsonSerializer.Serialize(detection.Services.Select(s => s.Service)));
    }
}
