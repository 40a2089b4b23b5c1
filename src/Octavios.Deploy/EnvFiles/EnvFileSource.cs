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
    public static async Task<LoadedEnvFile?> LoadAsync(SuiteConfig config, EnvironmentConfig environment, string? overridePath,
        Func<ICommandRunner> target, Func<string, string?> processEnvironment, CancellationToken cancellation = default)
    {
        if (overridePath is not null || environment.Kind == EnvironmentKind.Local)
        {
            var relative = overridePath ?? environment.EnvFile;
            if (relative is null) return null;
            var path = config.ResolvePath(relative);
            return File.Exists(path) ? new LoadedEnvFile(path, DotEnvReader.ReadFile(path, processEnvironment)) : null;
        }

        var server = target();
        if (environment.EnvFile is null || server.IsDryRun) return null;
        var read = await server.TryRunAsync(RemoteFiles.ReadSecret(environment.EnvFile), cancellation);
        if (!read.Succeeded) return null;
        var label = $"{server.Target}:{environment.EnvFile}";
        return new LoadedEnvFile(label, DotEnvReader.Parse(read.StandardOutput, label, processEnvironment));
    }
}
