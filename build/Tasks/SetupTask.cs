using System.Security.Cryptography;
using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Remote;
using Octavios.Deploy.Operations;
using Octavios.Deploy.Validation;
using Octavios.Deploy.Validation.Checks;

namespace Octavios.Build.Tasks;

[TaskName("Setup")]
[TaskDescription("Prepares a server for its first deploy: creates DEPLOY_PROJECT_DIR, uploads the env file (the environment's, its envSource, or --env-file) with mode 0600 unless a different one is there (--force replaces it), checks engine, Compose and disk (a Swarm: that it is a manager and its nodes take tasks). Idempotent.")]
public sealed class SetupTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Target.Runner is not SshCommandRunner && !context.DryRun)
        {
            context.DeployLog.Information("Nothing to set up: this environment runs on this machine.");
            return;
        }

        var answers = await EveryHost.RunAsync(context.Hosts, host => SetUpAsync(context, host.Runner), context.Cancellation);
        foreach (var line in EveryHost.Prefixed(answers, said => said)) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Setup");
    }

    /// <summary>One server (a fleet's host, a Swarm's manager): its project directory, its env file, its checks; what was done, in lines.</summary>
    private static async Task<IReadOnlyList<string>> SetUpAsync(BuildContext context, ICommandRunner runner)
    {
        var said = new List<string>();
        if (context.DryRun) said.Add("[dry run] would prepare the server");
        var directory = (runner as SshCommandRunner)?.ProjectDirectory ?? "<DEPLOY_PROJECT_DIR>";
        await runner.RunAsync(RemoteFiles.CreateProjectDirectory(directory), context.Cancellation);
        // A Swarm deploys through its manager: whether this one is, and whether its nodes take tasks, before anything is uploaded to it.
        var swarm = context.Options.Environment.Kind == EnvironmentKind.Swarm && !context.DryRun ? await SwarmChecks.RunAsync(runner, context.Cancellation) : [];
        if (swarm.FirstOrDefault(f => f.Severity == Severity.Error) is { } notManager)
            throw new InvalidOperationException($"{runner.Target} is not ready: {notManager.Message}; nothing was uploaded");

        var envFile = context.Options.EnvFile;
        // What this machine has (--env-file, the environment's source), else the file at the server's path in this checkout.
        var local = envFile.IsLocal ? null : envFile.TargetPath is { } path ? context.Config.ResolvePath(path) : null;
        var content = envFile.IsLocal ? await context.LocalEnvTextAsync()
            : local is not null && File.Exists(local) ? await Deploy.EnvFiles.EnvFileSource.ReadBoundedAsync(local, context.Cancellation) : null;
        var name = local ?? envFile.Name;
        if (envFile.TargetPath is not { } target)
        {
            said.Add("The environment names no env file: none uploaded.");
        }
        else if (content is null)
        {
            throw new InvalidOperationException($"No env file to upload: {name} does not exist here. Give one with --env-file=PATH (relative to the configuration's folder).");
        }
        else
        {
            var there = (await runner.RunAsync(RemoteFiles.Hash(target), context.Cancellation)).StandardOutput.Trim();
            var here = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
            if (there == here)
                said.Add($"{target} is already there, the same");
            else if (there.Length > 0 && !context.Options.Force)
                throw new InvalidOperationException($"{target} on {runner.Target} differs from {name}: left as it is. See what differs: {context.Requests.EnvHint} --diff; " +
                                                    $"to replace it: {context.Requests.SetupHint}{(envFile.LocalFile is null && local is not null ? $" --env-file={Path.GetRelativePath(context.Config.BaseDirectory, local)}" : "")} --force");
            else
            {
                foreach (var secret in Deploy.EnvFiles.LoadedEnvFile.Read(name, content, _ => null, Deploy.EnvFiles.DotEnvRules.ComposeV2).SecretValues(context.Config.Validation.Secrets))
                    context.Masker.Add(secret);
                await runner.RunAsync(RemoteFiles.Write(target, content, secret: true), context.Cancellation);
                said.Add($"{target} uploaded (0600)");
            }
        }

        var findings = (await TargetChecks.RunAsync(runner, envFile.TargetPath, context.Config.Validation.MinFreeDiskPercent, context.Config.Compose.Flavor,
            context.DeployLog, context.Cancellation, context.Requests.SetupHint)).ToList();
        findings.AddRange(swarm);
        said.AddRange(findings.Select(finding => $"{finding.Severity.ToString().ToUpperInvariant(),-8} {finding.Check,-20} {finding.Message}"));
        if (findings.Any(f => f.Severity == Severity.Error))
            throw new InvalidOperationException($"{runner.Target} is not ready: {string.Join("; ", findings.Where(f => f.Severity == Severity.Error).Select(f => f.Message))}");
        said.Add($"{runner.Target} is ready for its first deploy");
        return said;
    }
}
