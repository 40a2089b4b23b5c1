namespace Octavios.Deploy.Commands;

/// <summary>
/// The deploy lock on a target as command values. Taking it is one atomic step with its content: the owner is written
/// into <c>.octavios/lock.TOKEN/</c> first, then the symbolic link <c>.octavios/deploy.lock</c> is created pointing at
/// it (creating a link fails when it exists). The holder touches <c>heartbeat</c> there while it works.
/// </summary>
public static class LockCommands
{
    public const string Link = ".octavios/deploy.lock";

    /// <summary>Exit code of Take, Beat and Break: the lock is someone else's.</summary>
    public const int Held = 3;

    /// <summary>Exit code of Take: .octavios/ cannot be written (full disk, read-only).</summary>
    public const int CannotWrite = 4;

    /// <summary>Exit code of a fenced command that did not run, with <see cref="FenceRefusal"/> on its error output.</summary>
    public const int Fenced = 75;

    public const string FenceRefusal = "octavios: the deploy lock is no longer this run's; not run";

    /// <summary>
    /// <paramref name="command"/>, run only while <paramref name="token"/> holds the lock: the check and the step are one
    /// server command, so a run that lost its lock (frozen, then taken over) can change nothing, however long it slept.
    /// </summary>
    public static Command Fence(string token, Command command) => command with
    {
        Program = "sh",
        Args = ["-c",
            $"[ \"$(readlink .octavios/deploy.lock)\" = \"lock.$1\" ] || {{ echo \"{FenceRefusal}\" >&2; exit {Fenced}; }}\n" +
            "cd \"$2\" && shift 2 && exec \"$@\"",
            "sh", token, command.WorkingDirectory ?? ".", command.Program, .. command.Args],
        WorkingDirectory = null,
    };

    public static Command Take(string token, string ownerJson) =>
        new("sh", ["-c",
            "mkdir -p .octavios || exit 4\n" +
            "t=.octavios/lock.$1\n" +
            "{ mkdir \"$t\" && cat > \"$t/owner.json\" && [ -s \"$t/owner.json\" ] && : > \"$t/heartbeat\"; } || { rm -rf \"$t\"; exit 4; }\n" +
            "ln -sT \"lock.$1\" .octavios/deploy.lock 2>/dev/null && exit 0\n" +
            "rm -rf \"$t\"; exit 3",
            "sh", token])
        {
            StandardInput = new CommandArg(ownerJson),
            Title = "take the deploy lock",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Prints "free", or the holder's token, heartbeat age in seconds and owner.json (an old-style lock directory has no token).</summary>
    public static Command Inspect() =>
        new("sh", ["-c",
            "l=.octavios/deploy.lock\n" +
            "[ -e \"$l\" ] || [ -L \"$l\" ] || { echo free; exit 0; }\n" +
            "if [ -L \"$l\" ]; then d=.octavios/$(readlink \"$l\"); echo \"token=${d#.octavios/lock.}\"; else d=$l; fi\n" +
            "b=$(stat -c %Y \"$d/heartbeat\" 2>/dev/null) && echo \"age=$(( $(date +%s) - b ))\"\n" +
            "cat \"$d/owner.json\" 2>/dev/null; exit 0"])
        {
            Title = "read the deploy lock",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Proves the holder alive; fails (exit 3) when the lock is no longer this holder's.</summary>
    public static Command Beat(string token) =>
        new("sh", ["-c", "[ \"$(readlink .octavios/deploy.lock)\" = \"lock.$1\" ] || exit 3; touch \".octavios/lock.$1/heartbeat\"", "sh", token])
        {
            Title = "deploy lock heartbeat",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(20),
        };

    /// <summary>Releases the lock only while it is this holder's: a lock taken over by another run is left alone.</summary>
    public static Command Release(string token) =>
        new("sh", ["-c", "[ \"$(readlink .octavios/deploy.lock)\" != \"lock.$1\" ] || rm -f .octavios/deploy.lock; rm -rf \".octavios/lock.$1\"", "sh", token])
        {
            Title = "release the deploy lock",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>
    /// Removes a lock whatever its holder (Unlock, or the takeover of an abandoned one). With a token, only if that
    /// token still holds it: renaming its directory away is atomic, so of two runs taking over, one wins.
    /// </summary>
    public static Command Break(string? token) =>
        new("sh", ["-c",
            "l=.octavios/deploy.lock\n" +
            "if [ -n \"$1\" ]; then\n" +
            "  if mv \".octavios/lock.$1\" \".octavios/broken.$1\" 2>/dev/null; then rm -rf \".octavios/broken.$1\"; elif [ -d \".octavios/lock.$1\" ]; then exit 3; fi\n" +
            "  [ \"$(readlink \"$l\")\" != \"lock.$1\" ] || rm -f \"$l\"\n" +
            "else rm -rf \"$l\" .octavios/lock.*; fi",
            "sh", token ?? ""])
        {
            Title = "break the deploy lock",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(30),
        };
}
