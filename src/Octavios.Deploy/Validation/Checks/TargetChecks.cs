using System.Globalization;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>
/// ssh.connect and server.*: the target answers, has Docker and Compose, the project directory and its env file,
/// and enough free disk on Docker's data root (the server once reached 95 %). Read-only commands only.
/// </summary>
public static class TargetChecks
{
    /// <summary>Reads <c>df -P</c>: the share of the filesystem still free, in percent.</summary>
    public static int? FreePercent(string dfOutput)
    {
        var line = dfOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault();
        var used = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.EndsWith('%'));
        return used is not null && int.TryParse(used.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) ? 100 - percent : null;
    }

    public static async Task<IReadOnlyList<Finding>> RunAsync(ICommandRunner target, string? envFile, int minFreeDiskPercent, ComposeFlavor? configuredCompose,
        IDeployLog log, CancellationToken cancellation = default, string setupHint = "./build.sh --target=Setup")
    {
        var findings = new List<Finding>();
        if (target is SshCommandRunner ssh)
        {
            try
            {
                await ssh.ConnectAsync(cancellation);
                findings.Add(Finding.Info("ssh.connect", $"connected to {ssh.Target}, host key known"));
            }
            catch (SshConnectionException error)
            {
                findings.Add(Finding.Error("ssh.connect", error.Message));
                return findings;
            }
        }

        if (!(await target.TryRunAsync(RemoteFiles.DirectoryExists("."), cancellation)).Succeeded)
        {
            findings.Add(Finding.Error("server.project-dir", $"[{target.Target}] the project directory does not exist: prepare the server with {setupHint}"));
            return findings;
        }

        // The rest are independent: asked at once, each on a channel of its own, reported in a fixed order.
        var parts = await Task.WhenAll(EngineAsync(target, cancellation), ComposeAsync(target, configuredCompose, log, cancellation),
            EnvFileAsync(target, envFile, setupHint, cancellation), DiskAsync(target, minFreeDiskPercent, cancellation));
        findings.AddRange(parts.SelectMany(p => p));
        return findings;
    }

    private static async Task<IEnumerable<Finding>> EngineAsync(ICommandRunner target, CancellationToken cancellation) =>
        (await target.TryRunAsync(DockerCommands.EngineVersion(), cancellation)).Succeeded
            ? []
            : [Finding.Error("server.docker", $"[{target.Target}] the Docker engine does not answer (docker version)")];

    private static async Task<IEnumerable<Finding>> ComposeAsync(ICommandRunner target, ComposeFlavor? configuredCompose, IDeployLog log, CancellationToken cancellation)
    {
        try
        {
            var flavor = await ComposeFlavorProbe.DetectAsync(target, log, configuredCompose, cancellation);
            return target.IsDryRun ? [] : [Finding.Info("server.compose", $"[{target.Target}] Compose {flavor.ToString().ToLowerInvariant()}")];
        }
        catch (Exception error) when (error is InvalidOperationException or CommandFailedException)
        {
            return [Finding.Error("server.compose", error.Message.Split('\n')[0])];
        }
    }

    private static async Task<IEnumerable<Finding>> EnvFileAsync(ICommandRunner target, string? envFile, string setupHint, CancellationToken cancellation) =>
        envFile is null || (await target.TryRunAsync(RemoteFiles.FileExists(envFile), cancellation)).Succeeded
            ? []
            : [Finding.Error("server.env-file", $"[{target.Target}] {envFile} is missing in the project directory: upload it with {setupHint} --env-file=PATH")];

    private static async Task<IEnumerable<Finding>> DiskAsync(ICommandRunner target, int minFreeDiskPercent, CancellationToken cancellation)
    {
        var root = await target.TryRunAsync(DockerCommands.DataRoot(), cancellation);
        if (!root.Succeeded || target.IsDryRun) return [];
        var disk = await target.TryRunAsync(RemoteFiles.FreeDisk(root.StandardOutput.Trim()), cancellation);
        var free = disk.Succeeded ? FreePercent(disk.StandardOutput) : null;
        if (free is null) return [Finding.Warning("server.disk", $"[{target.Target}] could not read the free disk of {root.StandardOutput.Trim()}")];
        return free < minFreeDiskPercent
            ? [Finding.Error("server.disk", $"[{target.Target}] only {free}% free on Docker's data root {root.StandardOutput.Trim()} (minimum {minFreeDiskPercent}%): prune old images first")]
            : [Finding.Info("server.disk", $"[{target.Target}] {free}% free on {root.StandardOutput.Trim()}")];
    }
}
