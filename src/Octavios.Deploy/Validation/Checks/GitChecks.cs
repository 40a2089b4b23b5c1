using LibGit2Sharp;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>
/// git.dirty and git.branch: what is being deployed is what is committed, from the release branch; env.tracked and
/// env.permissions: a server's plain env file on this machine is never committed, nor readable by others.
/// </summary>
public static class GitChecks
{
    /// <summary>The plain env file a deploy to <paramref name="environment"/>'s servers reads from this machine.</summary>
    public static IEnumerable<Finding> EnvFile(string localFile, string environment)
    {
        var full = Path.GetFullPath(localFile);
        if (!File.Exists(full)) yield break;
        if ((File.GetUnixFileMode(full) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            yield return Finding.Warning("env.permissions", $"{localFile} (the {environment} environment's secrets) is readable by other users of this machine: chmod 600 '{localFile}'");
        if (Repository.Discover(Path.GetDirectoryName(full)) is not { } gitDirectory) yield break;
        using var repository = new Repository(gitDirectory);
        var relative = Path.GetRelativePath(repository.Info.WorkingDirectory, full).Replace('\\', '/');
        if (relative.StartsWith("../", StringComparison.Ordinal)) yield break;
        if (repository.Index[relative] is not null)
            yield return Finding.Error("env.tracked",
                $"{relative} holds the {environment} environment's secrets and git tracks it: they are in the repository's history. " +
                $"Run git rm --cached '{relative}', add it to .gitignore and change every secret it held");
        else if (!repository.Ignore.IsPathIgnored(relative))
            yield return Finding.Error("env.tracked",
                $"{relative} holds the {environment} environment's secrets and .gitignore does not ignore it: the next git add -A commits them. Add it to .gitignore");
    }

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
