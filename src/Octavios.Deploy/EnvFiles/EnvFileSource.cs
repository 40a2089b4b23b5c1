using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// Finds and reads the env file of an environment: --env-file (a local file), the local environment's file, the
/// environment's source (envSource), or the server's own file read over the deploy connection. Its values go into memory only.
/// </summary>
public static class EnvFileSource
{
    /// <summary>
    /// Null when there is no env file to read; throws <see cref="EnvFileSyntaxException"/> on a file Compose would refuse.
    /// The file is read (a local one, or the server's on a channel of its own) while the target is asked for <paramref name="rules"/>.
    /// </summary>
    public static async Task<LoadedEnvFile?> LoadAsync(EnvFileLocation location, Func<Task<string?>> localText, Func<ICommandRunner> target,
        Func<string, string?> processEnvironment, Task<DotEnvRules> rules, CancellationToken cancellation = default)
    {
        if (location.IsLocal)
            return await localText() is { } text ? await LoadedEnvFile.ReadAsync(location.LocalFile ?? location.Name, text, processEnvironment, rules) : null;

        var server = target();
        if (location.TargetPath is null || server.IsDryRun)
        {
            await rules;
            return null;
        }

        var read = await server.TryRunAsync(RemoteFiles.ReadSecret(location.TargetPath), cancellation);
        if (!read.Succeeded)
        {
            await rules;
            return null;
        }

        return await LoadedEnvFile.ReadAsync($"{server.Target}:{location.TargetPath}", read.StandardOutput, processEnvironment, rules);
    }

    /// <summary>
    /// The text this machine has of the env file, in memory: the local file (null when it does not exist), or what the
    /// environment's source gives; null when the file is the target's own.
    /// </summary>
    public static async Task<string?> ReadLocalAsync(EnvFileLocation location, Func<EnvSourceConfig, EnvSourceReader> reader, CancellationToken cancellation)
    {
        if (location.LocalFile is { } path) return File.Exists(path) ? await ReadBoundedAsync(path, cancellation) : null;
        return location.Source is { } source ? await reader(source).ReadAsync(cancellation) : null;
    }

    /// <summary>An env file is text of reasonable size; a FIFO or a device (stat size 0) is never opened, so never read forever.</summary>
    public static async Task<string> ReadBoundedAsync(string path, CancellationToken cancellation)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxBytes) throw new DeployInputException($"{path} is larger than {MaxBytes / (1024 * 1024)} MB: not an env file.");
        return length == 0 ? "" : await File.ReadAllTextAsync(path, cancellation);
    }

    private const long MaxBytes = 64L * 1024 * 1024;
}
