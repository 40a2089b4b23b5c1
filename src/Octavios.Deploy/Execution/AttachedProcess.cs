using System.Diagnostics;
using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Execution;

/// <summary>
/// A command on this machine's terminal (an editor, an interactive exec): its standard streams are the run's own, so
/// what it prints is never captured, nor masked. Cancelled (Ctrl-C), it is stopped with its whole process tree.
/// </summary>
public static class AttachedProcess
{
    public static async Task<int> RunAsync(Command command, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(command.Program) { UseShellExecute = false };
        foreach (var arg in command.Args) start.ArgumentList.Add(arg.Value);
        foreach (var (name, value) in command.Environment) start.Environment[name] = value.Value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command.Program} could not be started.");
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }
}
