using System.Text.Json;
using Octavios.Build.Host;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tasks;

[TaskName("Env")]
[TaskDescription("Lists the variables of the environment's env file as Compose reads them: name, length, short SHA-256; never a value. --diff: what an upload would change on each server, and which running services read it; --edit: edit the environment's age-encrypted file.")]
public sealed class EnvTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Options.Edit)
        {
            await EditAsync(context);
            return;
        }

        if (context.Options.Diff)
        {
            await DiffAsync(context);
            return;
        }

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

    private static async Task DiffAsync(BuildContext context)
    {
        var location = context.Options.EnvFile;
        if (!location.Uploaded || location.TargetPath is not { } target)
            throw new BuildInputException($"--diff compares the env file a deploy uploads (the environment's envSource, or --env-file) with each server's; " +
                                          $"environment '{context.Options.EnvironmentName}' uploads none: give --env-file=PATH.");
        var text = await context.LocalEnvTextAsync() ?? throw new BuildInputException($"No env file to compare: {location.Name} does not exist here.");
        await context.LoadEnvFileAsync();
        var swarm = context.Options.Environment.Kind == EnvironmentKind.Swarm;
        var files = context.ComposeFiles.Parsed(swarm && context.Options.Environment.ComposeFiles.Count > 0 ? context.Options.Environment.ComposeFiles : context.Config.Compose.Files);
        var answers = await EveryHost.RunAsync(context.RealHosts,
            host => EnvDiff.OfHostAsync(host.Label, host.Runner, target, text, files, context.Config.Compose.Project, swarm, context.Cancellation), context.Cancellation);
        var diffs = answers.Where(a => a.Value is not null).Select(a => a.Value!).ToList();
        var lines = (diffs.Count > 0 ? EnvDiff.TableLines(diffs) : []).Prepend($"{location.Name} against {target} on {answers.Count} host(s), compared by hashes: no value leaves a server")
            .Concat(answers.Where(a => a.Failure is not null).Select(a => $"{a.Host}  FAILED: {a.Failure!.Split('\n')[0]}"));
        context.Publish(lines, JsonSerializer.Serialize(answers.Select(a => new
        {
            host = a.Host,
            failure = a.Failure,
            serverHasFile = a.Value?.ServerHasFile,
            variables = a.Value?.Variables.Select(v => new { name = v.Name, change = v.Change.ToString().ToLowerInvariant(), services = v.Services }),
        }), new JsonSerializerOptions { WriteIndented = true }), null);
        EveryHost.ThrowIfAnyFailed(answers, "Env --diff");
    }

    private static async Task EditAsync(BuildContext context)
    {
        if (context.Options.EnvFile.Source is not { Age: not null } source)
            throw new BuildInputException($"--edit works on an environment whose envSource is an age file; '{context.Options.EnvironmentName}' has none{(context.Options.EnvFile.LocalFile is not null ? " (--env-file names a plain file: edit it directly)" : "")}.");
        if (context.DryRun) throw new BuildInputException("--edit changes the encrypted file: it has no dry run.");
        try
        {
            var reader = new EnvSourceReader(source, context.Config, context.Local, Variable, context.Masker.Add);
            context.DeployLog.Information(await new AgeFileEditor(source, context.Config, reader, context.Local, Variable).EditAsync(context.Cancellation));
        }
        catch (Deploy.DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name);
}
