using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Deployment;

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
    /// <summary>Writes a file atomically: into a temporary file beside it, then renamed over it; the temporary file never stays.</summary>
    public static Command Write(string path, string content, bool secret = false) =>
        new("sh", ["-c", "mkdir -p \"$(dirname \"$1\")\" && t=\"$1.tmp.$$\" && { cat > \"$t\" && mv -f \"$t\" \"$1\" || { rm -f \"$t\"; exit 1; }; }", "sh", path])
        {
            StandardInput = new CommandArg(content, secret),
            Title = $"write {path}",
        };

    /// <summary>Prints the file, or nothing when it does not exist (exit 0 either way).</summary>
    public static Command Read(string path) =>
        new("sh", ["-c", "[ ! -f \"$1\" ] || cat \"$1\"", "sh", path]) { Title = $"read {path}" };

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
