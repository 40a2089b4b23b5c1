using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Operations;

public enum EnvChange
{
    Unchanged,
    Changed,
    Added,
    Removed,
}

/// <summary>One variable of the diff: how the upload would change it, and the running services that would read the new value once redeployed.</summary>
public sealed record VariableDiff(string Name, EnvChange Change, IReadOnlyList<string> Services);

/// <summary>One host's side of the diff; <see cref="ServerHasFile"/> false: every variable would be added.</summary>
public sealed record HostEnvDiff(string Host, bool ServerHasFile, IReadOnlyList<VariableDiff> Variables)
{
    public IEnumerable<VariableDiff> Differences => Variables.Where(v => v.Change != EnvChange.Unchanged);
}

/// <summary>
/// The env file this run would upload against each server's, variable by variable, by hashes made on each side
/// (<see cref="EnvEntries"/>): no value leaves a server, none is printed.
/// </summary>
public static class EnvDiff
{
    /// <summary>Pure: each variable of either side with its change; <paramref name="readers"/> gives the services reading one.</summary>
    public static IReadOnlyList<VariableDiff> Compare(IReadOnlyDictionary<string, string> local, IReadOnlyDictionary<string, string> server,
        Func<string, IReadOnlyList<string>> readers)
    {
        var names = local.Keys.Concat(server.Keys.Where(n => !local.ContainsKey(n)));
        return names.Select(name =>
        {
            var change = !server.TryGetValue(name, out var there) ? EnvChange.Added
                : !local.TryGetValue(name, out var here) ? EnvChange.Removed
                : here == there ? EnvChange.Unchanged : EnvChange.Changed;
            return new VariableDiff(name, change, change == EnvChange.Unchanged ? [] : readers(name));
        }).ToList();
    }

    /// <summary>The output of <see cref="RemoteFiles.EntryHashes"/>: name → hash, the last entry of a name winning.</summary>
    public static IReadOnlyDictionary<string, string> ParseHashes(string output)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Split(' ') is [var name, var hash]) hashes[name] = hash;
        }

        return hashes;
    }

    /// <summary>A variable's name → the running services (as Compose names them) that read it: by a reference, or all of them through env_file:.</summary>
    public static Func<string, IReadOnlyList<string>> Readers(IReadOnlyList<ComposeFile> files, IReadOnlySet<string> running)
    {
        var reads = files.SelectMany(f => f.VariableReaders()).Where(r => running.Contains(r.Service)).ToList();
        return name => reads.Where(r => r.Variable is null || r.Variable == name).Select(r => r.Service).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>One server: its env file's entry hashes and its running services, both asked on the server.</summary>
    public static async Task<HostEnvDiff> OfHostAsync(string host, ICommandRunner runner, string targetPath, string localText, IReadOnlyList<ComposeFile> files,
        string project, bool swarm, CancellationToken cancellation)
    {
        var answer = await runner.TryRunAsync(RemoteFiles.EntryHashes(targetPath), cancellation);
        if (!answer.Succeeded && answer.ExitCode != 3) throw new CommandFailedException(runner.Target, RemoteFiles.EntryHashes(targetPath), answer);
        var server = answer.Succeeded ? ParseHashes(answer.StandardOutput) : new Dictionary<string, string>();
        var listing = await runner.RunAsync(swarm ? SwarmCommands.StackServices(project) : ContainerCommands.RunningOfProject(project), cancellation);
        var running = listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => swarm ? line[(line.IndexOf('_') + 1)..] : line.Split(' ')[0])
            .ToHashSet(StringComparer.Ordinal);
        return new HostEnvDiff(host, answer.Succeeded, Compare(EnvEntries.Hashes(localText), server, Readers(files, running)));
    }

    /// <summary>The table: a line per host and variable that differs, or one saying the host's file is the same.</summary>
    public static IEnumerable<string> TableLines(IReadOnlyList<HostEnvDiff> hosts)
    {
        var rows = hosts.SelectMany(h => h.Differences.Any()
            ? h.Differences.Select(v => (h.Host, v.Name, Change: v.Change.ToString().ToLowerInvariant(), Services: v.Services.Count == 0 ? "-" : string.Join(", ", v.Services)))
            : [(h.Host, "-", h.ServerHasFile ? "the same" : "no file", "-")]).ToList();
        var (hostWidth, nameWidth) = (rows.Max(r => r.Host.Length), Math.Max(8, rows.Max(r => r.Name.Length)));
        yield return $"{"HOST".PadRight(hostWidth)}  {"VARIABLE".PadRight(nameWidth)}  {"CHANGE",-9}  RUNNING SERVICES THAT READ IT";
        foreach (var row in rows) yield return $"{row.Host.PadRight(hostWidth)}  {row.Name.PadRight(nameWidth)}  {row.Change,-9}  {row.Services}";
    }
}
