using LibGit2Sharp;
using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.Detection;

public sealed record Detection(string Since, string Head, IReadOnlyList<string> ChangedPaths, IReadOnlyList<ServiceChange> Services);

/// <summary>Which services changed between a reference and HEAD, read from git with LibGit2Sharp.</summary>
public static class ChangeDetector
{
    public const string DefaultSince = "HEAD~1";

    public static Detection Detect(SuiteConfig config, string since)
    {
        var gitDirectory = Repository.Discover(config.BaseDirectory)
            ?? throw new DeployInputException($"{config.BaseDirectory} is not inside a git repository, so --services=changed cannot be worked out.");
        using var repository = new Repository(gitDirectory);
        var head = repository.Head.Tip ?? throw new DeployInputException("The repository has no commits yet.");
        Commit? from;
        try
        {
            from = repository.Lookup<Commit>(since);
        }
        catch (LibGit2SharpException)
        {
            from = null;
        }

        // The default, HEAD~1, is missing only on a first commit: then everything is new.
        if (from is null && since != DefaultSince)
            throw new DeployInputException($"--since='{since}' names no commit, tag or branch here; fetch it first (git fetch --tags).");

        var changes = repository.Diff.Compare<TreeChanges>(from?.Tree, head.Tree);
        var prefix = Path.GetRelativePath(repository.Info.WorkingDirectory, config.BaseDirectory).Replace('\\', '/');
        prefix = prefix == "." ? "" : prefix.TrimEnd('/') + "/";
        var paths = changes.SelectMany(c => new[] { c.Path, c.OldPath })
            .Where(p => p is not null && p.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[prefix.Length..])
            .Distinct()
            .ToList();
        return new Detection(from?.Sha[..12] ?? "(empty tree)", head.Sha[..12], paths, ServicePathMap.Map(config, paths));
    }
}
