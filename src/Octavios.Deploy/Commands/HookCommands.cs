namespace Octavios.Deploy.Commands;

/// <summary>The user's own commands around a deploy: local hooks, and the backup run on the target.</summary>
public static class HookCommands
{
    public static Command Hook(string hook, string stage, IReadOnlyDictionary<string, CommandArg> environment) =>
        new("sh", ["-c", hook]) { Title = $"{stage} hook", Environment = environment, Timeout = TimeSpan.FromMinutes(30) };

    /// <summary>
    /// The backup command's output kept as directory/file, written through a temporary file that never stays; a dump
    /// holds the data itself: 0600 in a 0700 directory.
    /// </summary>
    public static Command Backup(string directory, string command, string file) =>
        new("sh",
        [
            "-c", "mkdir -p \"$1\" && chmod 700 \"$1\" && { (umask 077; sh -c \"$2\" > \"$1/$3.tmp\") && mv -f \"$1/$3.tmp\" \"$1/$3\"; } || { rm -f \"$1/$3.tmp\"; exit 1; }",
            "sh", directory, command, file,
        ]) { Title = "backup", Timeout = TimeSpan.FromMinutes(30) };
}
