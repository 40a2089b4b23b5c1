using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Validation;

/// <summary>The pre-deploy gate: every problem found is listed, and any one stops the deploy.</summary>
public sealed class DeployValidator(ICommandRunner local, IDeployLog log)
{
    public async Task ValidateAsync(SuiteConfig config, EnvironmentConfig environment, string? envFile,
        IReadOnlyList<string> services, CancellationToken cancellation = default)
    {
        var errors = new List<string>();
        var localEnvFile = envFile is null ? null : config.ResolvePath(envFile);
        if (environment.Kind == EnvironmentKind.Local && localEnvFile is not null && !File.Exists(localEnvFile))
            errors.Add($"env file not found: {localEnvFile}");

        // Compose reads the files exactly as a deploy would, with the versions the compose files default to.
        var plan = DeployPlan.Create(config, environment, [], new ReleaseVersion(0, 0, 0, null),
            localEnvFile is not null && File.Exists(localEnvFile) ? localEnvFile : null);
        var flavor = await ComposeFlavorProbe.DetectAsync(local, log, cancellation);
        var check = await local.TryRunAsync(plan.Compose(flavor).ConfigQuiet(), cancellation);
        if (!check.Succeeded) errors.Add($"compose files do not load: {check.StandardError.Trim()}");

        if (errors.Count > 0) throw new ValidationFailedException(errors);
        log.Information($"Validation passed: configuration, env file and {config.Compose.Files.Count} compose file(s) for {string.Join(", ", services)}");
    }
}

public sealed class ValidationFailedException(IReadOnlyList<string> errors)
    : Exception($"Validation failed:\n  {string.Join("\n  ", errors)}")
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
