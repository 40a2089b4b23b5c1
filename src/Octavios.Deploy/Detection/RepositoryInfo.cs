using LibGit2Sharp;

namespace Octavios.Deploy.Detection;

public static class RepositoryInfo
{
    /// <summary>The commit HEAD points at, or "unknown" outside a git repository; used for the revision label.</summary>
    public static string HeadRevision(string directory)
    {
        var gitDirectory = Repository.Discover(directory);
        if (gitDirectory is null) return "unknown";
        using var repository = new Repository(gitDirectory);
        return repository.Head.Tip?.Sha ?? "unknown";
    }
}
