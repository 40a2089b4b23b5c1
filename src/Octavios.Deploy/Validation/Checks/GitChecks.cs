using LibGit2Sharp;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>git.dirty and git.branch: what is being deployed is what is committed, from the release branch.</summary>
public static class GitChecks
{
    public static IEnumerable<Finding> Run(string directory, string releaseBranch)
    {
        var gitDirectory = Repository.Discover(directory);
        if (gitDirectory is null)
        {
            yield return Finding.Warning("git.branch", $"{directory} is not in a git repository: the deployed revision cannot be traced");
            yield break;
        }

        using var repository = new Repository(gitDirectory);
        var branch = repository.Info.IsHeadDetached ? null : repository.Head.FriendlyName;
        yield return Finding.Info("git.branch", $"branch {branch ?? "(detached HEAD)"} at {repository.Head.Tip?.Sha[..12] ?? "(no commit)"}");
        if (branch != releaseBranch)
            yield return Finding.Warning("git.branch", $"deploying from {branch ?? "a detached HEAD"}, not the release branch {releaseBranch}");

        var status = repository.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = true });
        var changed = status.Where(s => s.State != FileStatus.Ignored && s.State != FileStatus.Unaltered).Select(s => s.FilePath).ToList();
        if (changed.Count > 0)
            yield return Finding.Warning("git.dirty",
                $"{changed.Count} uncommitted change(s), e.g. {string.Join(", ", changed.Take(3))}: the images will not match any commit");
    }
}
