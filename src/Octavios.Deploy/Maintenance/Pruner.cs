using Octavios.Deploy.Records;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Maintenance;

/// <summary>Prune on a target: lists what PrunePlan allows, and removes it by tag (never by force).</summary>
public sealed class Pruner(ICommandRunner target, IDeployLog log)
{
    public async Task<IReadOnlyList<ImageTag>> RunAsync(SuiteConfig config, IReadOnlyList<SelectedService> services, bool dryRun, CancellationToken cancellation = default)
    {
        var records = ServerRecords.Parse((await target.RunAsync(ServerRecords.Read(), cancellation)).StandardOutput);
        if (records.Journal is { } journal)
            throw new InvalidOperationException($"[{target.Target}] an unfinished {journal.Describe()} is recorded: run Deploy or Rollback first, which finish or undo it; nothing was pruned.");
        var (current, previous) = (records.Current, records.Previous);
        var inUse = (await target.RunAsync(DockerCommands.ContainerImages(), cancellation)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var removed = new List<ImageTag>();
        foreach (var service in services)
        {
            var settings = service.Settings;
            var repository = config.ImageRepository(settings);
            var tags = (await target.RunAsync(DockerCommands.ListTags(repository), cancellation)).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Trim().Split(' '))
                .Where(p => p.Length == 2)
                .Select(p => new ImageTag(repository, p[0], p[1]))
                .ToList();
            var running = current.GetValueOrDefault(settings.VersionVariable);
            var doomed = PrunePlan.Removable(tags, running, previous.GetValueOrDefault(settings.VersionVariable), config.Prune.Keep, inUse);
            if (running is null) log.Information($"{service}: no running version recorded in {VersionsFile.Current}: nothing pruned");
            foreach (var tag in doomed)
            {
                if (dryRun) log.Information($"[dry run] would remove {tag.Reference}");
                else await target.RunAsync(DockerCommands.RemoveImage(tag.Reference), cancellation);
            }

            if (!dryRun && doomed.Count > 0) log.Information($"{service}: removed {string.Join(", ", doomed.Select(d => d.Tag))}; running {running}");
            removed.AddRange(doomed);
        }

        return removed;
    }
}
