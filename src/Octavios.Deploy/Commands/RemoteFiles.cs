namespace Octavios.Deploy.Commands;

/// <summary>One step of <see cref="RemoteFiles.Apply"/>.</summary>
public sealed record FileChange(string Operation, string Path, string Content = "")
{
    public static FileChange Write(string path, string content) => new("write", path, content);

    /// <summary>Appended by copy and rename: a full disk leaves the file as it was, never a truncated line.</summary>
    public static FileChange Append(string path, string content) => new("append", path, content);

    /// <summary>Removes a file or a directory with everything in it.</summary>
    public static FileChange Delete(string path) => new("delete", path);

    /// <summary>A copy of the server's file <paramref name="from"/> (its mode kept: an env file stays private); nothing when it does not exist.</summary>
    public static FileChange Copy(string path, string from) => new("copy", path, from);

    /// <summary>Where <see cref="AppendStamped"/> writes the server's time (UTC, as audit lines give it).</summary>
    public const string ServerTime = "@SERVER-TIME@";

    /// <summary>Appended as <see cref="Append"/> does, <see cref="ServerTime"/> replaced by the time the server writes it.</summary>
    public static FileChange AppendStamped(string path, string content) => new("stamp", path, content);
}

/// <summary>File operations on a deploy target as command values; the path is always an argument, never spliced into a script.</summary>
public static class RemoteFiles
{
    /// <summary>
    /// Writes a file atomically: into a temporary file beside it, then renamed over it; the temporary file never stays.
    /// A secret file is never readable by others, not even for a moment: 0600, or the mode it had if that was tighter.
    /// </summary>
    public static Command Write(string path, string content, bool secret = false) =>
        new("sh", ["-c", (secret ? SecretMode : "m=\n") + FromStandardInput, "sh", path])
        {
            StandardInput = new CommandArg(content, secret),
            Title = $"write {path}",
        };

    /// <summary>Writes $1 from standard input, atomically, with mode $m when set.</summary>
    private const string FromStandardInput =
        "mkdir -p \"$(dirname \"$1\")\" && t=\"$1.tmp.$$\" && { cat > \"$t\" && { [ -z \"$m\" ] || chmod \"$m\" \"$t\"; } && mv -f \"$t\" \"$1\" || { rm -f \"$t\"; exit 1; }; }";

    /// <summary>A secret file's mode: 0600, or the mode it had if that was tighter.</summary>
    private const string SecretMode = "umask 077; m=600; [ ! -f \"$1\" ] || m=$(printf %o $(( 0$(stat -c %a \"$1\") & 0600 | 0400 )))\n";

    /// <summary>
    /// Several files in one round trip, each written as <see cref="Write"/> does: the plain ones travel as arguments
    /// (shown by their length), the secret one (<paramref name="secretFile"/>, an env file) through standard input.
    /// </summary>
    public static Command Upload(IReadOnlyDictionary<string, string> files, string? secretFile)
    {
        var secret = secretFile is not null && files.TryGetValue(secretFile, out var content) ? content : null;
        return new Command("sh", ["-c",
            "s=$1; shift\n" +
            "while [ $# -gt 0 ]; do f=$1; t=\"$f.tmp.$$\"\n" +
            "  { mkdir -p \"$(dirname \"$f\")\" && printf '%s' \"$2\" > \"$t\" && mv -f \"$t\" \"$f\"; } || { rm -f \"$t\"; echo \"could not write $f\" >&2; exit 1; }; shift 2\n" +
            "done\n" +
            "[ -z \"$s\" ] || { set -- \"$s\"; " + SecretMode + FromStandardInput + "; }",
            "sh", secret is null ? "" : secretFile!, .. files.Where(f => f.Key != secretFile).SelectMany(f => new[] { new CommandArg(f.Key), CommandArg.Bulk(f.Value) })])
        {
            StandardInput = secret is null ? null : CommandArg.Secret(secret),
            Title = $"upload {string.Join(", ", files.Keys)}",
        };
    }

    /// <summary>
    /// Defines <c>src PATH</c>: prints where PATH's content is as the changes committed by <see cref="Apply"/> make it, the
    /// staged copy while <see cref="PendingChanges"/> is not applied yet, nothing for a missing or deleted file.
    /// </summary>
    private const string SeeThroughPending =
        "src() {\n" +
        "  p=$([ ! -f " + PendingChanges + "/ops ] || awk -v f=\"$1\" 'substr($0, length($1) + length($2) + 3) == f { r = $1 \" \" $2 } END { print r }' " + PendingChanges + "/ops)\n" +
        "  case $p in\n" +
        "    *\" delete\") ;;\n" +
        "    *\" write\") if [ -e " + PendingChanges + "/\"${p%% *}\" ]; then echo " + PendingChanges + "/\"${p%% *}\"; elif [ -f \"$1\" ]; then echo \"$1\"; fi ;;\n" +
        "    *) [ ! -f \"$1\" ] || echo \"$1\" ;;\n" +
        "  esac\n" +
        "}\n";

    /// <summary>Prints each file after a line "MARKER path" (nothing for a missing file): several files in one round trip.</summary>
    public static Command ReadAll(string marker, params string[] paths) =>
        new("sh", ["-c", SeeThroughPending + "m=$1; shift; for f; do echo \"$m$f\"; s=$(src \"$f\"); [ -z \"$s\" ] || cat \"$s\"; echo; done", "sh", marker, .. paths])
        {
            Title = "read the server's records",
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>A file whose content holds secrets (an env file): returned as read, never logged.</summary>
    public static Command ReadSecret(string path) =>
        new("cat", ["--", path]) { SensitiveOutput = true, Title = $"read {path}", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Creates the project directory itself (private to its owner), from outside it.</summary>
    public static Command CreateProjectDirectory(string path) =>
        new("sh", ["-c", "umask 027; mkdir -p \"$1\"", "sh", path]) { Title = $"create {path}", NeedsProjectDirectory = false, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The SHA-256 of a file, or nothing when it does not exist: compares an env file without reading it back.</summary>
    public static Command Hash(string path) =>
        new("sh", ["-c", "[ ! -f \"$1\" ] || sha256sum < \"$1\" | cut -d' ' -f1", "sh", path]) { Title = $"hash {path}", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// "NAME HASH" for each entry of an env file, cut as <see cref="EnvFiles.EnvEntries"/> cuts it and hashed on the
    /// server (the value goes through a pipe, never an argument); exit 3 when there is no file.
    /// </summary>
    public static Command EntryHashes(string path) =>
        new("sh", ["-c",
            "[ -f \"$1\" ] || exit 3\n" +
            "awk -v start=\"$2\" -v skip=\"$3\" '\n" +
            "function flush() { if (name != \"\") { print name \" \" n; for (i = 1; i <= n; i++) print buf[i] } name = \"\"; n = 0 }\n" +
            "$0 ~ start { flush(); name = $0; sub(/^[ \\t]*(export[ \\t]+)?/, \"\", name); sub(/[ \\t]*[=:].*$/, \"\", name); n = 1; buf[1] = $0; next }\n" +
            "$0 ~ skip { flush(); next }\n" +
            "name != \"\" { buf[++n] = $0 }\n" +
            "END { flush() }' \"$1\" | while read -r name n; do\n" +
            "  raw=; i=0; while [ \"$i\" -lt \"$n\" ]; do IFS= read -r l; raw=\"$raw$l\n\"; i=$((i + 1)); done\n" +
            "  printf '%s %s\\n' \"$name\" \"$(printf '%s' \"$raw\" | sha256sum | cut -c1-12)\"\n" +
            "done",
            "sh", path, EnvFiles.EnvEntries.StartPattern, EnvFiles.EnvEntries.SkippedPattern])
        {
            Title = $"hash the entries of {path}",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>The last lines of a file (the audit log), or nothing.</summary>
    public static Command Tail(string path, int lines) =>
        new("sh", ["-c", SeeThroughPending + "s=$(src \"$1\"); [ -z \"$s\" ] || tail -n \"$2\" \"$s\"", "sh", path, lines.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            Title = $"read {path}",
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static Command DirectoryExists(string path) => new("test", ["-d", path]) { Title = $"look for {path}/", Timeout = TimeSpan.FromSeconds(30) };

    public static Command FileExists(string path) => new("test", ["-f", path]) { Title = $"look for {path}", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Free space of the filesystem holding a path, as <c>df -P</c> prints it.</summary>
    public static Command FreeDisk(string path) => new("df", ["-P", path]) { Title = "df", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Where <see cref="Apply"/> keeps a set of changes between its commit point and their application: a run cut off in
    /// between leaves it, readers see through it (<see cref="ReadAll"/>), and the next <see cref="Apply"/> finishes it first.
    /// </summary>
    public const string PendingChanges = ".octavios/commit";

    /// <summary>Applies what <see cref="PendingChanges"/> holds (its "ops" file: "N write|delete path" lines), then removes it; idempotent.</summary>
    private const string FinishPending =
        "c=" + PendingChanges + "\n" +
        "finish() {\n" +
        "  [ -d \"$c\" ] || return 0\n" +
        "  while read -r i op f; do case $op in\n" +
        "    write) [ ! -e \"$c/$i\" ] || { mkdir -p \"$(dirname \"$f\")\" && mv -f \"$c/$i\" \"$f\"; } || return 1 ;;\n" +
        "    delete) rm -rf \"$f\" || return 1 ;;\n" +
        "  esac; done < \"$c/ops\"\n" +
        "  rm -rf \"$c\"\n" +
        "}\n" +
        "finish || { echo \"could not finish the changes left in $c\" >&2; exit 1; }\n";

    /// <summary>
    /// Several changes that become true together or not at all: each new content is staged whole beside the records (an
    /// append as a copy of the file plus its line), then one rename of the staging directory is the commit point, then the
    /// files are renamed into place. A full disk fails while staging and changes nothing; a run cut off after the commit
    /// point leaves <see cref="PendingChanges"/>, which the next Apply finishes. Contents travel as arguments: records only, never secrets.
    /// </summary>
    public static Command Apply(IEnumerable<FileChange> changes, string title) =>
        new("sh", ["-c",
            FinishPending +
            "rm -rf \"$c\".new.*; n=\"$c.new.$$\"\n" +
            "mkdir -p \"$n\" || exit 1\n" +
            "fail() { rm -rf \"$n\"; echo \"could not $1 $2\" >&2; exit 1; }\n" +
            "i=0\n" +
            "while [ $# -gt 0 ]; do\n" +
            "  op=$1; f=$2; x=$3; shift 3; i=$((i + 1))\n" +
            "  case $op in\n" +
            "    write) printf '%s' \"$x\" > \"$n/$i\" && echo \"$i write $f\" >> \"$n/ops\" ;;\n" +
            "    append) { [ ! -f \"$f\" ] || cp \"$f\" \"$n/$i\"; } && printf '%s' \"$x\" >> \"$n/$i\" && echo \"$i write $f\" >> \"$n/ops\" ;;\n" +
            "    stamp) { [ ! -f \"$f\" ] || cp \"$f\" \"$n/$i\"; } && printf '%s' \"$x\" | sed \"s/" + FileChange.ServerTime + "/$(date -u +%Y-%m-%dT%H:%M:%SZ)/\" >> \"$n/$i\" && echo \"$i write $f\" >> \"$n/ops\" ;;\n" +
            "    copy) { [ ! -f \"$x\" ] || cp -p \"$x\" \"$n/$i\"; } && echo \"$i write $f\" >> \"$n/ops\" ;;\n" +
            "    delete) echo \"$i delete $f\" >> \"$n/ops\" ;;\n" +
            "  esac || fail \"$op\" \"$f\"\n" +
            "done\n" +
            "mv \"$n\" \"$c\" || fail commit \"$c\"\n" +
            "finish || { echo \"could not finish the changes in $c: the next run does\" >&2; exit 1; }",
            "sh", .. changes.SelectMany(c => new[] { c.Operation, c.Path, CommandArg.Bulk(c.Content) })])
        {
            Title = title,
            Timeout = TimeSpan.FromSeconds(60),
        };
}
