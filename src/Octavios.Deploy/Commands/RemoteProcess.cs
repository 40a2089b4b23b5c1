namespace Octavios.Deploy.Commands;

/// <summary>
/// How every command runs on a server: in the project directory, under the server's own <c>timeout</c> in a process
/// group of its own whose id is kept in a file, so a cancelled client can kill the whole group (closing an SSH
/// channel kills nothing on the server).
/// </summary>
public static class RemoteProcess
{
    /// <summary>Exit code of a command whose project directory does not exist.</summary>
    public const int NoProjectDirectory = 214;

    /// <summary>GNU timeout's exit code when it stopped the command.</summary>
    public const int TimedOut = 124;

    public static string Wrap(string projectDirectory, string commandLine, TimeSpan timeout, string pidFile)
    {
        var directory = ShellQuote.Quote(projectDirectory);
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        // stdin is handed to the background job explicitly: POSIX gives an asynchronous list /dev/null otherwise.
        return $"cd {directory} 2>/dev/null || {{ echo \"octavios: the project directory \"{directory}\" does not exist\" >&2; exit {NoProjectDirectory}; }}\n" +
               "exec 3<&0\n" +
               $"timeout -k 5 {seconds} sh -c {ShellQuote.Quote(commandLine)} <&3 3<&- &\n" +
               "p=$!\nexec 3<&-\n" +
               $"echo $p > {ShellQuote.Quote(pidFile)}\n" +
               $"wait $p; s=$?\nrm -f {ShellQuote.Quote(pidFile)}\nexit $s";
    }

    /// <summary>Kills the process group recorded by <see cref="Wrap"/> (timeout leads its own group).</summary>
    public static Command Kill(string pidFile) =>
        new("sh", ["-c", "[ -f \"$1\" ] && kill -TERM -\"$(cat \"$1\")\" 2>/dev/null; rm -f \"$1\"", "sh", pidFile]) { Title = "stop the command" };
}
