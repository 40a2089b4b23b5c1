using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// Finds and reads the env file of an environment: --env-file (a local file), the local environment's file,
/// or the server's own file read over the deploy connection. Its values go into memory only.
/// </summary>
public static class EnvFileSource
{
    /// <summary>Null when there is no env file to read; throws <see cref="EnvFileSyntaxException"/> on a file Compose would refuse.</summary>
    public static async Task<LoadedEnvFile?> LoadAsync(EnvFileLocation location, Func<ICommandRunner> target,
        Func<string, string?> processEnvironment, CancellationToken cancellation = default)
    {
        if (location.LocalFile is { } path)
            return File.Exists(path) ? new LoadedEnvFile(path, DotEnvReader.ReadFile(path, processEnvironment)) : null;

        var server = target();
        if (location.TargetPath is null || server.IsDryRun) return null;
        var read = await server.TryRunAsync(RemoteFiles.ReadSecret(location.TargetPath), cancellation);
        if (!read.Succeeded) return null;
        var label = $"{server.Target}:{location.TargetPath}";
        return new LoadedEnvFile(label, DotEnvReader.Parse(read.StandardOutput, label, processEnvironment));
    }
}
