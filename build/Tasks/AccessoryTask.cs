using Octavios.Build.Host;
using Octavios.Deploy.Operations;
using Octavios.Deploy.Records;

namespace Octavios.Build.Tasks;

[TaskName("Accessory")]
[TaskDescription("Acts on an accessory (a database, a cache: accessories:) on every host (or --hosts): --action=boot starts it unless it runs (never recreating it), restart, logs, backup (its backup.command's output kept 0600 in a 0700 directory). Deploys never touch accessories.")]
public sealed class AccessoryTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (!Enum.TryParse<AccessoryAction>(context.Options.Action, ignoreCase: true, out var action) || !Enum.IsDefined(action) || int.TryParse(context.Options.Action, out _))
            throw new BuildInputException($"--action='{context.Options.Action}': expected boot, restart, logs or backup.");
        context.RequireComposeHosts("Accessory");
        Accessories accessories;
        try
        {
            accessories = new Accessories(context.Config, context.Options.Environment, context.Options.Accessory!, context.ComposeFiles.Parsed(context.Config.Compose.Files),
                context.Options.EnvFile.TargetPath, context.DeployLog);
        }
        catch (Deploy.DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }

        await context.LearnSecretsAsync();
        var composeFiles = context.Options.Environment.IsRemote ? context.Config.Compose.Files.ToDictionary(f => f, context.ComposeFiles.Text) : [];
        var owner = context.Requests.Owner($"accessory {context.Options.Accessory} {action.ToString().ToLowerInvariant()}");
        var answers = await EveryHost.RunAsync(action == AccessoryAction.Logs ? context.RealHosts : context.Hosts, async host =>
        {
            // What changes the server (boot, restart, a backup file) waits for no deploy and is waited for by none: it holds the deploy lock.
            await using var held = action == AccessoryAction.Logs || context.DryRun ? null : await HeldLock.TakeAsync(host.Runner, context.DeployLog, context.Config.Deploy,
                owner, context.Options.LockWait, context.Requests.UnlockHint, context.Cancellation);
            return await accessories.RunAsync(action, host.Runner, composeFiles, context.Options.Tail ?? 100, context.Cancellation);
        }, context.Cancellation);
        foreach (var line in EveryHost.Prefixed(answers, said => said)) context.DeployLog.Information(line);
        EveryHost.ThrowIfAnyFailed(answers, "Accessory");
    }
}
