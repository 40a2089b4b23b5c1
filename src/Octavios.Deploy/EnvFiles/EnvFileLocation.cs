using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// Where a run's env file is: the path Compose is given on the target (relative to its project directory), and what
/// this machine reads instead of the target's own when it has one: a local file (a local environment, or --env-file)
/// or the environment's <see cref="Source"/>; a deploy to a server then uploads it in place of the server's file.
/// </summary>
public sealed record EnvFileLocation(string? TargetPath, string? LocalFile, bool Uploaded, string Name)
{
    /// <summary>Where the environment keeps its secrets (envSource), unless --env-file replaces it.</summary>
    public EnvSourceConfig? Source { get; init; }

    public static EnvFileLocation For(SuiteConfig config, EnvironmentConfig environment, string? overridePath)
    {
        if (environment.Kind == EnvironmentKind.Local)
        {
            var relative = overridePath ?? environment.EnvFile;
            return new EnvFileLocation(relative, relative is null ? null : config.ResolvePath(relative), false, relative ?? "none configured");
        }

        var source = overridePath is null ? environment.EnvSource : null;
        return new EnvFileLocation(environment.EnvFile, overridePath is null ? null : config.ResolvePath(overridePath),
            (overridePath is not null || source is not null) && environment.EnvFile is not null,
            overridePath ?? (source is null ? null : EnvSourceReader.Describe(source)) ?? environment.EnvFile ?? "none configured") { Source = source };
    }

    /// <summary>Read from this machine rather than from the target.</summary>
    public bool IsLocal => LocalFile is not null || Source is not null;

    /// <summary>The target must hold the file itself (it is neither local nor uploaded by the deploy).</summary>
    public string? ExpectedOnTarget => IsLocal ? null : TargetPath;
}
