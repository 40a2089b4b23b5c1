namespace Octavios.Deploy.Commands;

/// <summary>The user's own commands around a deploy: local hooks, and the backup run on the target.</summary>
public static class HookCommands
{
    /// <summary>Prefix of the variables a hook receives: never one the suite reads as its own argument, so a hook may run the suite again.</summary>
    public const string Prefix = "OCTAVIOS_HOOK_";

    /// <summary>A hook, told what the deploy does: <c>OCTAVIOS_HOOK_ACTION</c>, <c>_ENV</c>, and the lists <c>_SERVICES</c>, <c>_VERSION</c>, <c>_HOSTS</c>, comma-separated.</summary>
    public static Command Hook(string hook, string stage, string action, string environment, IEnumerable<string> services, IEnumerable<string> versions, IEnumerable<string> hosts) =>
        new("sh", ["-c", hook])
        {
            Title = $"{stage} hook",
            Environment = new Dictionary<string, CommandArg>
            {
                [Prefix + "ACTION"] = action,
                [Prefix + "ENV"] = environment,
                [Prefix + "SERVICES"] = string.Join(',', services),
                [Prefix + "VERSION"] = string.Join(',', versions.Distinct()),
                [Prefix + "HOSTS"] = string.Join(',', hosts),
            },
            Timeout = TimeSpan.FromMinutes(30),
        };

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
