using Octavios.Deploy.Output;
using System.Diagnostics;
using System.Text;
using Octavios.Deploy.Commands;

namespace Octavios.Deploy.Execution;

/// <summary>Runs commands on this machine, output masked and shown at verbose level.</summary>
public sealed class LocalCommandRunner(string projectDirectory, IDeployLog log, SecretMasker masker) : ICommandRunner
{
    public string Target => "local";

    public bool IsDryRun => false;

    public async Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default)
    {
        foreach (var secret in command.Secrets) masker.Add(secret);
        using var process = new Process { StartInfo = StartInfo(command) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Collect(stdout, e.Data, command.SensitiveOutput);
        process.ErrorDataReceived += (_, e) => Collect(stderr, e.Data, command.SensitiveOutput);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return new CommandResult(127, "", $"{command.Program}: {error.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (command.StandardInput is { } input) await process.StandardInput.WriteAsync(input.Value);
        process.StandardInput.Close();
        var timeout = command.Timeout ?? Command.DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            await Progress.ReportAsync(process.WaitForExitAsync(deadline.Token), log, Target, command.Title);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellation.ThrowIfCancellationRequested();
            throw new CommandTimedOutException(Target, command, timeout);
        }

        // Sensitive output (a credential) is returned as read: masking known secrets in it would corrupt it.
        var output = stdout.ToString();
        return new CommandResult(process.ExitCode, command.SensitiveOutput ? output : masker.MaskKnown(output), masker.MaskKnown(stderr.ToString()));
    }

    public async Task<int> StreamAsync(Command command, Action<string> line, CancellationToken cancellation = default)
    {
        using var process = new Process { StartInfo = StartInfo(command) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) line(masker.MaskKnown(e.Data)); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) line(masker.MaskKnown(e.Data)); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellation);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>The process of a command, every stream redirected, logged (masked) before it starts.</summary>
    private ProcessStartInfo StartInfo(Command command)
    {
        log.Verbose($"[local] {command.Display()}");
        // Process.ArgumentList hands each argument over verbatim; Cake's ProcessRunner takes one pre-joined string.
        var start = new ProcessStartInfo(command.Program)
        {
            WorkingDirectory = command.WorkingDirectory is null ? projectDirectory : Path.Combine(projectDirectory, command.WorkingDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Args) start.ArgumentList.Add(arg.Value);
        foreach (var (name, value) in command.Environment) start.Environment[name] = value.Value;
        return start;
    }

    private void Collect(StringBuilder buffer, string? line, bool sensitive)
    {
        if (line is null) return;
        lock (buffer) buffer.AppendLine(line);
        if (!sensitive) log.Verbose("  " + line);
    }
}
