namespace Octavios.Build.Host;

/// <summary>
/// An argument the build accepts: shown by --help, read from the command line, else the environment, else cake.config;
/// <paramref name="RequiredBy"/>: the tasks that cannot run without it (the run stops before any task starts).
/// </summary>
public sealed record ArgumentDefinition(string Name, string Description, string? DefaultValue = null, bool IsFlag = false, IReadOnlyList<string>? RequiredBy = null)
{
    /// <summary>Environment variable standing in for the argument: <c>--env-file</c> → <c>OCTAVIOS_ENV_FILE</c>.</summary>
    public string EnvironmentVariable => "OCTAVIOS_" + Name.Replace('-', '_').ToUpperInvariant();

    /// <summary>Key in cake.config's [Octavios] section, as Cake's configuration provider names it: <c>Octavios_EnvFile</c>.</summary>
    public string ConfigurationKey =>
        "Octavios_" + string.Concat(Name.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
