using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>compose.cli: Compose itself loads the files on this machine, given the env file's values as (secret) variables.</summary>
public static class ComposeCliCheck
{
    public static async Task<IEnumerable<Finding>> RunAsync(ICommandRunner local, SuiteConfig config, LoadedEnvFile? envFile,
        IReadOnlyDictionary<string, string> suiteVariables, IDeployLog log, CancellationToken cancellation = default)
    {
        ComposeFlavor flavor;
        try
        {
            flavor = await ComposeFlavorProbe.DetectAsync(local, log, null, cancellation);
        }
        catch (InvalidOperationException)
        {
            return [Finding.Info("compose.cli", "no Compose CLI on this machine: compose config not run")];
        }

        var check = new ComposeCommands(flavor, config.Compose.Project, config.Compose.Files, null, suiteVariables).ConfigQuiet();
        var environment = new Dictionary<string, CommandArg>(check.Environment);
        foreach (var variable in envFile?.Variables ?? []) environment.TryAdd(variable.Name, CommandArg.Secret(variable.Value));
        var result = await local.TryRunAsync(check with { Environment = environment }, cancellation);
        return result.Succeeded
            ? [Finding.Info("compose.cli", $"{(flavor == ComposeFlavor.V2 ? "docker compose" : "docker-compose")} config accepts the files")]
            : [Finding.Error("compose.cli", $"compose config refuses the files: {result.StandardError.Trim().Split('\n')[^1]}")];
    }
}
