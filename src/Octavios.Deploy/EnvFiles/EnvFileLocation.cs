using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// Where a run's env file is: the path Compose is given on the target (relative to its project directory), and the
/// local file read instead of the target's own when there is one (a local environment, or --env-file, which a deploy
/// to a server then uploads in place of the server's file).
/// </summary>
public sealed record EnvFileLocation(string? TargetPath, string? LocalFile, bool Uploaded, string Name)
{
    public static EnvFileLocation For(SuiteConfig config, EnvironmentConfig environment, string? overridePath)
    {
        if (environment.Kind == EnvironmentKind.Local)
        {
            var relative = overridePath ?? environment.EnvFile;
            return new EnvFileLocation(relative, relative is null ? null : config.ResolvePath(relative), false, relative ?? "none configured");
        }

        return new EnvFileLocation(environment.EnvFile, overridePath is null ? null : config.ResolvePath(overridePath),
            overridePath is not null && environment.EnvFile is not null, overridePath ?? environment.EnvFile ?? "none configured");
    }

    /// <summary>Read from this machine rather than from the target.</summary>
    public bool IsLocal => LocalFile is not null;

    /// <summary>The target must hold the file itself (it is neither local nor uploaded by the deploy).</summary>
    public string? ExpectedOnTarget => IsLocal ? null : TargetPath;
}
