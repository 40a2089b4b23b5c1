using Octavios.Deploy.Compose;
using Octavios.Deploy.Records;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Registry;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Deployment;

/// <summary>
/// Turns a run into deploy and rollback requests: which version variables change, what is uploaded to a server (the
/// compose files of this checkout, --env-file), who takes the lock and the command that would break it.
/// </summary>
public sealed class DeployRequestFactory(SuiteConfig config, ComposeFileSet composeFiles, string environmentName, EnvFileLocation envFile, bool remote,
    TimeSpan lockWait, Func<string, string?> variables, string program)
{
    /// <summary>The command that breaks this environment's lock, carrying the run's --config and --env.</summary>
    public string UnlockHint => $"{program} --target=Unlock --config={config.FilePath} --env={environmentName}";

    /// <summary>The command that prepares this environment's server, with the run's --config and --env.</summary>
    public string SetupHint => Hint("Setup");

    /// <summary>The command that lists this environment's env file, with the run's --config and --env.</summary>
    public string EnvHint => Hint("Env");

    /// <summary>The command that runs <paramref name="target"/> on this environment, with the run's --config and --env.</summary>
    public string Hint(string target) => $"{program} --target={target} --config={config.FilePath} --env={environmentName}";

    public static IReadOnlyDictionary<string, string> VersionsOf(IEnumerable<SelectedService> services, ReleaseVersion version) => VersionsOf(services, version.ToString());

    public static IReadOnlyDictionary<string, string> VersionsOf(IEnumerable<SelectedService> services, string version) =>
        services.ToDictionary(s => s.VersionVariable, _ => version);

    /// <summary>Who takes the deploy lock for this run, doing what.</summary>
    public LockOwner Owner(string what) => LockOwner.Create(Environment.UserName, Environment.MachineName, what);

    /// <param name="envText">The env file this machine uploads (--env-file, the environment's source), read into memory.</param>
    public DeployRequest Create(string action, IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, RegistryCredentials? credentials,
        string? envText)
    {
        var uploads = new Dictionary<string, string>();
        if (remote)
        {
            // The server gets the compose files of this checkout (no git pull there), and the env file this machine has.
            foreach (var file in config.Compose.Files) uploads[file] = composeFiles.Text(file);
            if (envFile is { Uploaded: true, TargetPath: { } target })
                uploads[target] = envText ?? throw new DeployInputException($"No env file to upload: {envFile.Name} does not exist here.");
        }

        var backup = config.Deploy.Backup.Enabled || variables("BACKUP_DB") is "true" or "1";
        return new DeployRequest(action, environmentName, services, versions, uploads, credentials,
            Owner($"{action} {string.Join(' ', services)} {string.Join(' ', versions.Values.Distinct())}"), lockWait, backup, UnlockHint);
    }
}
