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

    /// <summary>
    /// A heartbeat's content: the boot's id and the seconds since it (/proc/uptime), a clock no step of the wall clock moves;
    /// a lock stamped in another boot was left by a run the restart ended.
    /// </summary>
    private const string Stamp = "echo \"$(cat /proc/sys/kernel/random/boot_id) $(cut -d' ' -f1 /proc/uptime)\"";

    public static Command Take(string token, string ownerJson) =>
        new("sh", ["-c",
            "mkdir -p .octavios || exit 4\n" +
            "t=.octavios/lock.$1\n" +
            "{ mkdir \"$t\" && cat > \"$t/owner.json\" && [ -s \"$t/owner.json\" ] && " + Stamp + " > \"$t/heartbeat\"; } || { rm -rf \"$t\"; exit 4; }\n" +
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
            "if read -r boot at < \"$d/heartbeat\" 2>/dev/null && [ -n \"$at\" ]; then\n" +
            "  if [ \"$boot\" = \"$(cat /proc/sys/kernel/random/boot_id)\" ]; then echo \"age=$(( $(cut -d. -f1 /proc/uptime) - ${at%.*} ))\"; else echo rebooted; fi\n" +
            // A heartbeat without a stamp (written by an older suite): its file time, the only clock it has.
            "else b=$(stat -c %Y \"$d/heartbeat\" 2>/dev/null) && echo \"age=$(( $(date +%s) - b ))\"; fi\n" +
            "cat \"$d/owner.json\" 2>/dev/null; exit 0"])
        {
            Title = "read the deploy lock",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Proves the holder alive; fails (exit 3) when the lock is no longer this holder's.</summary>
    public static Command Beat(string token) =>
        new("sh", ["-c", "[ \"$(readlink .octavios/deploy.lock)\" = \"lock.$1\" ] || exit 3; h=.octavios/lock.$1/heartbeat; " + Stamp + " > \"$h.new\" && mv -f \"$h.new\" \"$h\"", "sh", token])
        {
            Title = "deploy lock heartbeat",
            IsLockCommand = true,
            Timeout = TimeSpan.FromSeconds(20),
        };

    /// <summary>
    /// The change's repair, written with its journal from the files the change used: what the server runs by itself when
    /// the run's client is lost, and what the next run runs first.
    /// </summary>
    public const string RepairScript = ".octavios/journal.repair";

    /// <summary>The records commit of the change put back by the server itself, run after <see cref="RepairScript"/>.</summary>
    public const string UndoneScript = ".octavios/journal.undone";

    /// <summary>
    /// The repair journaled with a change (<see cref="RepairScript"/>); <paramref name="orElse"/>, built now, for a journal
    /// written before journals carried one.
    /// </summary>
    public static Command RunRepair(Command orElse) =>
        new("sh", ["-c", "if [ -f " + RepairScript + " ]; then sh " + RepairScript + "; else " + orElse.ToShellLine() + "; fi"])
        {
            Title = "put the change back",
            Timeout = TimeSpan.FromMinutes(10),
        };

    /// <summary>What the server's supervisor did after it lost a run's client: its output and that of the repair.</summary>
    public const string LostClientLog = ".octavios/lost-client.log";

    /// <summary>What the client sends its <see cref="Supervise"/> process, one line at a time, while it is alive.</summary>
    public const string Alive = "alive";

    /// <summary>
    /// The server's guard of a run's lock, on the run's own connection: it reads <see cref="Alive"/> lines from the client.
    /// Once none came for <paramref name="lostSeconds"/> (a suspended laptop, a lost network: timed on /proc/uptime, which no
    /// clock step moves) or the connection ended with the lock still the run's, the client is lost: it kills the run's
    /// commands still running (<paramref name="pidFiles"/>, a pattern), runs the journaled change's repair
    /// (<see cref="RepairScript"/>, only the run's own) and releases the lock. It ends quietly once the lock is no longer the run's.
    /// </summary>
    public static Command Supervise(string token, int lostSeconds, string pidFiles) =>
        new("sh", ["-c",
            "t=$1; lost=$2; pids=$3; d=.octavios/lock.$t\n" +
            "ours() { [ \"$(readlink .octavios/deploy.lock)\" = \"lock.$t\" ]; }\n" +
            // Shell builtins only, but for sleep and readlink: a server runs one of these per deploy for its whole length.
            "up() { read -r u _ < /proc/uptime; u=${u%.*}; }\n" +
            "up; echo \"$u\" > \"$d/client\" || exit 0\n" +
            // The reader's standard input is handed over explicitly: POSIX gives a background job /dev/null otherwise.
            "exec 3<&0\n" +
            "{ while IFS= read -r line; do up; echo \"$u\" > \"$d/client\"; done; : > \"$d/client.gone\"; } <&3 3<&- 2>/dev/null &\n" +
            "exec 3<&-\n" +
            "while sleep 1; do\n" +
            "  ours || exit 0\n" +
            "  [ ! -e \"$d/client.gone\" ] || break\n" +
            // An empty read is the reader writing at that moment: alive.
            "  up; c=; read -r c < \"$d/client\" 2>/dev/null\n" +
            "  [ -z \"$c\" ] || [ $(( u - c )) -lt \"$lost\" ] || break\n" +
            "done\n" +
            // The connection may be gone with its pipes: from here on, output goes to a file of the server's (no SIGPIPE).
            "exec > " + LostClientLog + " 2>&1\n" +
            "echo \"$(date -u +%Y-%m-%dT%H:%M:%SZ) the client of lock.$t is lost; the server puts its change back\"\n" +
            "for f in $pids; do [ ! -f \"$f\" ] || kill -TERM -\"$(cat \"$f\")\" 2>/dev/null; rm -f \"$f\"; done\n" +
            "sleep 1\n" +
            "ours || exit 0\n" +
            // A fresh heartbeat while it repairs: nobody takes the lock over meanwhile.
            Stamp + " > \"$d/heartbeat\"\n" +
            "if [ -f " + RepairScript + " ] && grep -qx \"token=$t\" .octavios/journal.env 2>/dev/null; then sh " + RepairScript + " && sh " + UndoneScript + "; fi\n" +
            "! ours || rm -f .octavios/deploy.lock; rm -rf \"$d\"",
            "sh", token, lostSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), pidFiles])
        {
            Title = "supervise the deploy lock",
            IsLockCommand = true,
            Timeout = TimeSpan.FromDays(1),
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
