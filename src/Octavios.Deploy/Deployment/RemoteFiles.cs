using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Deployment;

/// <summary>File operations on a deploy target as command values; content always travels through standard input.</summary>
public static class RemoteFiles
{
    /// <summary>Writes a file atomically: into a temporary file beside it, then renamed over it. The path is an argument, never spliced into the script.</summary>
    public static Command Write(string path, string content, bool secret = false) =>
        new("sh", ["-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1.tmp.$$\" && mv -f \"$1.tmp.$$\" \"$1\"", "sh", path])
        {
            StandardInput = new CommandArg(content, secret),
            Title = $"write {path}",
        };

    public static Command Append(string path, string content) =>
        new("sh", ["-c", "mkdir -p \"$(dirname \"$1\")\" && cat >> \"$1\"", "sh", path]) { StandardInput = new CommandArg(content), Title = $"append to {path}" };

    /// <summary>Prints the file, or nothing when it does not exist (exit 0 either way).</summary>
    public static Command Read(string path) =>
        new("sh", ["-c", "[ ! -f \"$1\" ] || cat \"$1\"", "sh", path]) { Title = $"read {path}" };

    /// <summary>Copies a file over another atomically (cp to a temporary name, then rename).</summary>
    public static Command Copy(string from, string to) =>
        new("sh", ["-c", "[ ! -f \"$1\" ] || { cp \"$1\" \"$2.tmp.$$\" && mv -f \"$2.tmp.$$\" \"$2\"; }", "sh", from, to]) { Title = $"keep {from} as {to}" };
}
