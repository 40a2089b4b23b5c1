using System.Security.Cryptography;
using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Remote;
using Octavios.Deploy.Validation;
using Octavios.Deploy.Validation.Checks;

namespace Octavios.Build.Tasks;

[TaskName("Setup")]
[TaskDescription("Prepares a server for its first deploy: creates DEPLOY_PROJECT_DIR, uploads the env file (the environment's, or --env-file) with mode 0600 unless a different one is there (--force replaces it), checks engine, Compose and disk. Idempotent.")]
public sealed class SetupTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Target.Runner is not SshCommandRunner server)
        {
            context.DeployLog.Information(context.DryRun ? "[dry run] would prepare the server" : "Nothing to set up: this environment runs on this machine.");
            if (!context.DryRun) return;
        }

        var runner = context.Target.Runner;
        var directory = (runner as SshCommandRunner)?.ProjectDirectory ?? "<DEPLOY_PROJECT_DIR>";
        await runner.RunAsync(RemoteFiles.CreateProjectDirectory(directory), context.Cancellation);

        var envFile = context.Options.EnvFile;
        var local = envFile.LocalFile ?? (envFile.TargetPath is { } path ? context.Config.ResolvePath(path) : null);
        if (envFile.TargetPath is not { } target)
        {
            context.DeployLog.Information("The environment names no env file: none uploaded.");
        }
        else if (local is null || !File.Exists(local))
        {
            throw new InvalidOperationException($"No env file to upload: {local ?? envFile.Name} does not exist here. Give one with --env-file=PATH (relative to the configuration's folder).");
        }
        else
        {
            var content = await File.ReadAllTextAsync(local, context.Cancellation);
            var there = (await runner.RunAsync(RemoteFiles.Hash(target), context.Cancellation)).StandardOutput.Trim();
            var here = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
            if (there == here)
                context.DeployLog.Information($"{target} is already there, the same");
            else if (there.Length > 0 && !context.Options.Force)
                throw new InvalidOperationException($"{target} on {runner.Target} differs from {local}: left as it is. To replace it: {context.Requests.SetupHint} --env-file={Path.GetRelativePath(context.Config.BaseDirectory, local)} --force");
            else
            {
                foreach (var secret in Deploy.EnvFiles.LoadedEnvFile.Read(local, content, _ => null, Deploy.EnvFiles.DotEnvRules.ComposeV2).SecretValues(context.Config.Validation.Secrets))
                    context.Masker.Add(secret);
                await runner.RunAsync(RemoteFiles.Write(target, content, secret: true), context.Cancellation);
                context.DeployLog.Information($"{target} uploaded (0600)");
            }
        }

        var findings = await TargetChecks.RunAsync(runner, envFile.TargetPath, context.Config.Validation.MinFreeDiskPercent, context.Config.Compose.Flavor,
            context.DeployLog, context.Cancellation, context.Requests.SetupHint);
        foreach (var finding in findings) context.DeployLog.Information($"{finding.Severity.ToString().ToUpperInvariant(),-8} {finding.Check,-20} {finding.Message}");
        if (findings.Any(f => f.Severity == Severity.Error))
            throw new InvalidOperationException($"{runner.Target} is not ready: {string.Join("; ", findings.Where(f => f.Severity == Severity.Error).Select(f => f.Message))}");
        context.DeployLog.Information($"{runner.Target} is ready for its first deploy");
    }
}
