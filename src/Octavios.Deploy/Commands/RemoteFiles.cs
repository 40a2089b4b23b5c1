namespace Octavios.Deploy.Commands;

/// <summary>One step of <see cref="RemoteFiles.Apply"/>.</summary>
public sealed record FileChange(string Operation, string Path, string Content = "")
{
    public static FileChange Write(string path, string content) => new("write", path, content);

    /// <summary>Appended by copy and rename: a full disk leaves the file as it was, never a truncated line.</summary>
    public static FileChange Append(string path, string content) => new("append", path, content);

    public static FileChange Delete(string path) => new("delete", path);
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

    /// <summary>Prints each file after a line "MARKER path" (nothing for a missing file): several files in one round trip.</summary>
    public static Command ReadAll(string marker, params string[] paths) =>
        new("sh", ["-c", "m=$1; shift; for f; do echo \"$m$f\"; [ ! -f \"$f\" ] || cat \"$f\"; echo; done", "sh", marker, .. paths])
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

    /// <summary>The last lines of a file (the audit log), or nothing.</summary>
    public static Command Tail(string path, int lines) =>
        new("sh", ["-c", "[ ! -f \"$1\" ] || tail -n \"$2\" \"$1\"", "sh", path, lines.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            Title = $"read {path}",
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static Command DirectoryExists(string path) => new("test", ["-d", path]) { Title = $"look for {path}/", Timeout = TimeSpan.FromSeconds(30) };

    public static Command FileExists(string path) => new("test", ["-f", path]) { Title = $"look for {path}", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Free space of the filesystem holding a path, as <c>df -P</c> prints it.</summary>
    public static Command FreeDisk(string path) => new("df", ["-P", path]) { Title = "df", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Several changes in one round trip, in order, each atomic (temporary file and rename); the first that fails stops
    /// the rest and leaves no temporary file. Contents travel as arguments: only for records, never for secrets.
    /// </summary>
    public static Command Apply(IEnumerable<FileChange> changes, string title) =>
        new("sh", ["-c",
            "while [ $# -gt 0 ]; do\n" +
            "  op=$1; f=$2; c=$3; shift 3; t=\"$f.tmp.$$\"\n" +
            "  case $op in\n" +
            "    write) mkdir -p \"$(dirname \"$f\")\" && printf '%s' \"$c\" > \"$t\" && mv -f \"$t\" \"$f\" ;;\n" +
            "    append) mkdir -p \"$(dirname \"$f\")\" && { [ ! -f \"$f\" ] || cp \"$f\" \"$t\"; } && printf '%s' \"$c\" >> \"$t\" && mv -f \"$t\" \"$f\" ;;\n" +
            "    delete) rm -f \"$f\" ;;\n" +
            "  esac || { rm -f \"$t\"; echo \"could not $op $f\" >&2; exit 1; }\n" +
            "done",
            "sh", .. changes.SelectMany(c => new CommandArg[] { c.Operation, c.Path, c.Content })])
        {
            Title = title,
            Timeout = TimeSpan.FromSeconds(60),
        };
}
