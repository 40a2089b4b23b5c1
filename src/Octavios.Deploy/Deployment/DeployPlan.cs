using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Deployment;

/// <summary>What one deploy changes: which services, at which version, through which compose invocation.</summary>
public sealed record DeployPlan(
    IReadOnlyList<string> Services,
    ReleaseVersion Version,
    string Project,
    IReadOnlyList<string> ComposeFiles,
    string? EnvFile,
    IReadOnlyDictionary<string, string> Variables,
    bool Pull,
    TimeSpan HealthTimeout)
{
    public static DeployPlan Create(SuiteConfig config, EnvironmentConfig environment, IReadOnlyList<string> services,
        ReleaseVersion version, string? envFile, bool? pull = null)
    {
        var variables = SuiteVariables(config);
        foreach (var name in services) variables[config.Services[name].VersionVariable] = version.ToString();
        return new DeployPlan(
            services.Select(s => config.Services[s].ComposeService).ToList(),
            version,
            config.Compose.Project,
            config.Compose.Files,
            envFile,
            variables,
            pull ?? environment.Push,
            TimeSpan.FromSeconds(config.Deploy.HealthTimeoutSeconds));
    }

    /// <summary>What the suite itself gives the compose files: the registry and the namespace.</summary>
    public static Dictionary<string, string> SuiteVariables(SuiteConfig config) => new()
    {
        [config.Compose.RegistryVariable] = config.Registry,
        [config.Compose.NamespaceVariable] = config.Namespace,
    };

    public ComposeCommands Compose(ComposeFlavor flavor) => new(flavor, Project, ComposeFiles, EnvFile, Variables);
}
