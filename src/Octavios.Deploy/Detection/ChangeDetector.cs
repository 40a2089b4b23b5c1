using LibGit2Sharp;
using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.Detection;

public sealed record Detection(string Since, string Head, IReadOnlyList<string> ChangedPaths, IReadOnlyList<ServiceChange> Services);

/// <summary>Which services changed between a reference and HEAD, read from git with LibGit2Sharp.</summary>
public static class ChangeDetector
{
    public const string DefaultSince = "HEAD~1";

    /// <summary>Files changed since <paramref name="since"/> (renames count for both paths, deletions count), mapped to services.</summary>
    public static Detection Detect(SuiteConfig config, string since, bool includeUncommitted)
    {
        var gitDirectory = Repository.Discover(config.BaseDirectory)
            ?? throw new DeployInputException($"{config.BaseDirectory} is not inside a git repository, so --services=changed cannot be worked out.");
        using var repository = new Repository(gitDirectory);
        var head = repository.Head.Tip ?? throw new DeployInputException("The repository has no commits yet.");
        var from = Resolve(repository, since);

        var options = new CompareOptions { Similarity = SimilarityOptions.Renames };
        var paths = repository.Diff.Compare<TreeChanges>(from?.Tree, head.Tree, options)
            .SelectMany(c => new[] { c.Path, c.OldPath }).ToList();
        if (includeUncommitted)
        {
            paths.AddRange(repository.Diff.Compare<TreeChanges>(head.Tree, DiffTargets.Index | DiffTargets.WorkingDirectory, null, null, options)
                .SelectMany(c => new[] { c.Path, c.OldPath }));
            paths.AddRange(repository.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = true })
                .Where(s => s.State.HasFlag(FileStatus.NewInWorkdir)).Select(s => s.FilePath));
        }

        var prefix = Path.GetRelativePath(repository.Info.WorkingDirectory, config.BaseDirectory).Replace('\\', '/');
        prefix = prefix == "." ? "" : prefix.TrimEnd('/') + "/";
        var relative = paths
            .Where(p => p is not null && p.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[prefix.Length..])
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        return new Detection(from?.Sha[..12] ?? "(empty tree)", head.Sha[..12], relative, ServicePathMap.Map(config, relative));
    }

    private static Commit? Resolve(Repository repository, string since)
    {
        Commit? commit = null;
        try
        {
            commit = repository.Lookup<Commit>(since);
        }
        catch (LibGit2SharpException)
        {
        }

        if (commit is not null) return commit;
        var shallow = repository.Info.IsShallow;
        // The default, HEAD~1, is missing on a first commit: then everything is new.
        if (since == DefaultSince && !shallow && !repository.Head.Tip!.Parents.Any()) return null;
        if (shallow)
            throw new DeployInputException($"--since='{since}' is not in this clone's history: the clone is shallow. Fetch the history first: git fetch --unshallow --tags (in CI: fetch-depth: 0).");
        // The value is quoted as data, never offered as a command to copy: '--upload-pack=…' would run on a paste.
        throw new DeployInputException($"--since='{since}' names no commit, tag or branch here. Fetch it first (git fetch --tags, or fetch that branch from origin), or check the spelling.");
    }
}
