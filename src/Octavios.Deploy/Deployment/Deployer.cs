using System.Diagnostics;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;
using Octavios.Deploy.Registry;

namespace Octavios.Deploy.Deployment;

/// <summary>What one deploy or rollback changes.</summary>
public sealed record DeployRequest(
    string Action,
    string EnvironmentName,
    IReadOnlyList<string> Services,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyDictionary<string, string> Uploads,
    RegistryCredentials? Credentials,
    LockOwner Owner,
    TimeSpan LockWait,
    bool Backup,
    string UnlockHint);

public sealed class DeployFailedException(string message) : Exception(message);

/// <summary>
/// A deploy on one target: lock, hooks, backup, upload, versions file, pull and recreate exactly the selected
/// services wave by wave (depends_on), health gate, automatic rollback, audit line, unlock.
/// </summary>
public sealed class Deployer(SuiteConfig config, ICommandRunner target, ICommandRunner local, IDeployLog log,
    string? envFile, bool pull)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async Task RunAsync(DeployRequest request, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var locker = new DeployLock(target, log);
        await locker.AcquireAsync(request.Owner, request.LockWait, TimeSpan.FromMinutes(config.Deploy.LockStaleMinutes), request.UnlockHint, cancellation);
        var released = false;
        try
        {
            await HooksAsync(config.Deploy.Hooks.PreDeploy, "pre-deploy", request, cancellation);
            if (request.Backup) await BackupAsync(cancellation);
            foreach (var (path, content) in request.Uploads)
                await target.RunAsync(RemoteFiles.Write(path, content, secret: path == envFile), cancellation);

            var before = VersionsFile.Parse((await target.RunAsync(RemoteFiles.Read(VersionsFile.Current), cancellation)).StandardOutput);
            var previousBefore = (await target.RunAsync(RemoteFiles.Read(VersionsFile.Previous), cancellation)).StandardOutput;
            var after = new Dictionary<string, string>(before);
            foreach (var (variable, version) in request.Versions) after[variable] = version;
            await target.RunAsync(RemoteFiles.Copy(VersionsFile.Current, VersionsFile.Previous), cancellation);
            await target.RunAsync(RemoteFiles.Write(VersionsFile.Current, VersionsFile.Format(after)), cancellation);

            var flavor = await ComposeFlavorProbe.DetectAsync(target, log, cancellation);
            var composeServices = request.Services.Select(s => config.Services[s].ComposeService).ToList();
            var waves = DependencyOrder.Waves(config.Compose.Files.Select(f => ComposeFile.Parse(f, File.ReadAllText(config.ResolvePath(f)))).ToList(), composeServices);
            var from = request.Versions.Keys.ToDictionary(k => k, k => before.GetValueOrDefault(k));
            try
            {
                await RecreateAsync(Compose(flavor, after), waves, request.Credentials, cancellation);
            }
            catch (Exception failure) when (failure is HealthGateException or CommandFailedException)
            {
                if (failure is HealthGateException unhealthy) await ShowLogsAsync(Compose(flavor, after), unhealthy.Service, cancellation);
                log.Error($"{failure.Message}: rolling back {string.Join(", ", request.Services)} to {string.Join(", ", from.Select(f => $"{f.Key}={f.Value ?? "(compose default)"}"))}");
                var restored = new Dictionary<string, string>(after);
                foreach (var (variable, version) in from)
                {
                    if (version is null) restored.Remove(variable);
                    else restored[variable] = version;
                }

                // A release that never went live changes neither the current nor the previous set.
                await target.RunAsync(RemoteFiles.Write(VersionsFile.Current, VersionsFile.Format(restored)), cancellation);
                if (previousBefore.Length > 0) await target.RunAsync(RemoteFiles.Write(VersionsFile.Previous, previousBefore), cancellation);
                var rollback = "rolled back";
                try
                {
                    await RecreateAsync(Compose(flavor, restored), waves, null, cancellation);
                }
                catch (Exception again) when (again is HealthGateException or CommandFailedException)
                {
                    rollback = $"rollback unhealthy: {again.Message}";
                }

                var reason = failure.Message.Split('\n')[0];
                await AuditAsync(request, from, "failed: " + reason + "; " + rollback, clock, cancellation);
                throw new DeployFailedException($"{request.Action} of {string.Join(", ", request.Services)} failed ({reason}); {rollback} to the previous versions.");
            }

            await AuditAsync(request, from, "succeeded", clock, cancellation);
            await locker.ReleaseAsync(cancellation);
            released = true;
            await HooksAsync(config.Deploy.Hooks.PostDeploy, "post-deploy", request, cancellation);
        }
        finally
        {
            if (!released) await ReleaseQuietlyAsync(locker, request.UnlockHint);
        }
    }

    private ComposeCommands Compose(ComposeFlavor flavor, IReadOnlyDictionary<string, string> versions) =>
        ComposeCommands.ForProject(config, flavor, envFile, versions);

    private async Task RecreateAsync(ComposeCommands compose, IReadOnlyList<IReadOnlyList<string>> waves, RegistryCredentials? credentials, CancellationToken cancellation)
    {
        if (pull && credentials is not null)
            await target.RunAsync(DockerCommands.Login(config.Registry, credentials.Username, credentials.Password), cancellation);
        if (pull) await target.RunAsync(compose.Pull(waves.SelectMany(w => w)), cancellation);
        var gate = new ContainerHealthGate(target, log, Poll);
        foreach (var wave in waves)
        {
            await target.RunAsync(compose.Up(wave), cancellation);
            await gate.WaitAsync(compose, wave, TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds), cancellation);
        }
    }

    private async Task ShowLogsAsync(ComposeCommands compose, string service, CancellationToken cancellation)
    {
        var ids = (await target.TryRunAsync(compose.ContainerIds(service), cancellation)).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var id in ids)
        {
            var logs = await target.TryRunAsync(DockerCommands.Logs(id.Trim(), config.Deploy.LogTail), cancellation);
            log.Error($"--- last {config.Deploy.LogTail} log lines of {service} ---\n{logs.StandardOutput}{logs.StandardError}--- end of {service} ---");
        }
    }

    private async Task AuditAsync(DeployRequest request, IReadOnlyDictionary<string, string?> from, string result, Stopwatch clock, CancellationToken cancellation)
    {
        var entry = new AuditEntry(request.Action, request.Owner.Who + "@" + request.Owner.Machine, DateTimeOffset.UtcNow, request.EnvironmentName,
            request.Services, from, request.Versions, result, clock.Elapsed.TotalSeconds);
        await target.RunAsync(RemoteFiles.Append(AuditEntry.File, entry.ToJsonLine()), cancellation);
    }

    private async Task HooksAsync(IEnumerable<string> hooks, string stage, DeployRequest request, CancellationToken cancellation)
    {
        foreach (var hook in hooks)
        {
            var result = await local.TryRunAsync(new Command("sh", ["-c", hook])
            {
                Title = $"{stage} hook",
                Environment = new Dictionary<string, CommandArg>
                {
                    ["OCTAVIOS_VERSION"] = string.Join(' ', request.Versions.Values.Distinct()),
                    ["OCTAVIOS_SERVICES"] = string.Join(' ', request.Services),
                    ["OCTAVIOS_HOSTS"] = target.Target,
                    ["OCTAVIOS_ENV"] = request.EnvironmentName,
                    ["OCTAVIOS_ACTION"] = request.Action,
                },
            }, cancellation);
            if (!result.Succeeded)
                throw new DeployFailedException($"{stage} hook failed (exit {result.ExitCode}): {hook}\n{result.StandardError.Trim()}");
        }
    }

    /// <summary>Runs the configured backup on the server; its output is kept with a timestamp, and a failure stops the deploy.</summary>
    private async Task BackupAsync(CancellationToken cancellation)
    {
        var backup = config.Deploy.Backup;
        if (backup.Command.Length == 0) throw new DeployFailedException("A backup was asked for (BACKUP_DB=true or deploy.backup.enabled) but deploy.backup.command is empty.");
        var file = $"backup-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{backup.Extension}";
        var result = await target.TryRunAsync(new Command("sh",
        [
            "-c", "mkdir -p \"$1\" && { sh -c \"$2\" > \"$1/$3.tmp\" && mv -f \"$1/$3.tmp\" \"$1/$3\"; } || { rm -f \"$1/$3.tmp\"; exit 1; }",
            "sh", backup.Directory, backup.Command, file,
        ]) { Title = "backup" }, cancellation);
        if (!result.Succeeded) throw new DeployFailedException($"The backup failed, so nothing was deployed: {result.StandardError.Trim()}");
        if (!target.IsDryRun) log.Information($"[{target.Target}] backup kept as {backup.Directory}/{file}");
    }

    private async Task ReleaseQuietlyAsync(DeployLock locker, string unlockHint)
    {
        try
        {
            await locker.ReleaseAsync();
        }
        catch (Exception error)
        {
            log.Error($"The deploy lock on {target.Target} could not be released ({error.Message}). Once you have checked the server: {unlockHint}");
        }
    }
}
