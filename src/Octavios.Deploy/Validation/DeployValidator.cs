using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Validation;

/// <summary>The pre-deploy gate: every problem found is listed, and any one stops the deploy. It only reads.</summary>
public sealed class DeployValidator(ICommandRunner target, IDeployLog log)
{
    public async Task ValidateAsync(SuiteConfig config, EnvironmentConfig environment, string? envFile,
        IReadOnlyList<string> services, CancellationToken cancellation = default)
    {
        var errors = new List<string>();
        if (envFile is not null && !(await target.TryRunAsync(new Command("test", ["-f", envFile]), cancellation)).Succeeded)
            errors.Add($"[{target.Target}] env file not found: {envFile}");

        // Compose reads the files where they will run, as a deploy would, with the versions they default to.
        var plan = DeployPlan.Create(config, environment, [], new ReleaseVersion(0, 0, 0, null), errors.Count == 0 ? envFile : null);
        var flavor = await ComposeFlavorProbe.DetectAsync(target, log, cancellation);
        var check = await target.TryRunAsync(plan.Compose(flavor).ConfigQuiet(), cancellation);
        if (!check.Succeeded) errors.Add($"[{target.Target}] compose files do not load: {check.StandardError.Trim()}");

        if (errors.Count > 0) throw new ValidationFailedException(errors);
        if (!target.IsDryRun)
            log.Information($"Validation passed on {target.Target}: env file and {config.Compose.Files.Count} compose file(s), for {string.Join(", ", services)}");
    }
}

public sealed class ValidationFailedException(IReadOnlyList<string> errors)
    : Exception($"Validation failed:\n  {string.Join("\n  ", errors)}")
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
