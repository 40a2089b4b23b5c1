using System.Text.Json;
using Octavios.Build.Host;
using Octavios.Deploy.EnvFiles;

namespace Octavios.Build.Tasks;

[TaskName("Env")]
[TaskDescription("Lists the variables of the environment's env file as Compose reads them: name, length, short SHA-256; never a value.")]
public sealed class EnvTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var envFile = await context.LoadEnvFileAsync();
        if (envFile is null)
        {
            if (context.DryRun) return;
            throw new InvalidOperationException($"No env file for environment '{context.Options.EnvironmentName}' ({context.Options.EnvFile.Name}).");
        }

        var differ = envFile.ReadDifferently().ToHashSet();
        // Hashing 200,000 values is most of a 10 MB file's listing: on every core.
        var rows = envFile.Variables.AsParallel().AsOrdered()
            .Select(v => new { name = v.Name, length = v.Value.Length, sha256 = LoadedEnvFile.ShortHash(v.Value), readsDifferently = differ.Contains(v.Name) })
            .ToList();
        var width = rows.Select(r => r.name.Length).DefaultIfEmpty(4).Max();
        var lines = rows.Select(r => $"{r.name.PadRight(width)}  {r.length,6}  {r.sha256}{(r.readsDifferently ? "  *" : "")}")
            .Prepend($"{"NAME".PadRight(width)}  LENGTH  SHA256")
            .Prepend($"{envFile.Label}, read as {envFile.RulesName} reads it");
        if (differ.Count > 0) lines = lines.Append($"* read differently by the other Compose version: {string.Join(", ", differ)}");
        // The JSON is built only for --report: on a 10 MB file it costs as much as the reading.
        context.Publish(lines,
            context.Options.ReportPath is null ? "" : JsonSerializer.Serialize(new { file = envFile.Label, reading = envFile.RulesName, variables = rows }, new JsonSerializerOptions { WriteIndented = true }),
            null);
    }
}
