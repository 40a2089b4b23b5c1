using Octavios.Deploy.Output;
using System.Text.RegularExpressions;
using Cake.Common.Build.GitHubActions;
using Octavios.Deploy.Validation;

namespace Octavios.Build;

/// <summary>
/// What a run leaves for a GitHub Actions workflow: an annotation per finding (with the compose or env file and line it
/// names), written as the suite's own command line past the output guard; step outputs (Detect's services, Push's
/// digests) through Cake.Common. Nothing elsewhere. Every value masked.
/// </summary>
public sealed partial class GitHubActionsOutput(Func<IGitHubActionsProvider> provider, SecretMasker masker, Action<string> writeCommandLine)
{
    // Cake.Common builds every CI system's provider at once (~25 ms): only when the run is a GitHub Actions step.
    private readonly Lazy<IGitHubActionsProvider?> _github = new(() =>
        System.Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true" && provider() is { IsRunningOnGitHubActions: true } github ? github : null);

    public bool Active => _github.Value is not null;

    private IGitHubActionsProvider Github => _github.Value!;

    public void Annotate(IEnumerable<Finding> findings)
    {
        if (!Active) return;
        foreach (var finding in findings.Where(f => f.Severity != Severity.Info))
        {
            var at = Location().Match(finding.Message);
            writeCommandLine(WorkflowCommand.Format(finding.Severity == Severity.Error ? "error" : "warning",
            [
                new("file", at.Success ? masker.Mask(at.Groups[1].Value) : null),
                new("line", at.Success ? at.Groups[2].Value : null),
                new("title", masker.Mask(finding.Check)),
            ], masker.Mask(finding.Message)));
        }
    }

    public void SetOutput(string name, string value)
    {
        if (Active) Github.Commands.SetOutputParameter(name, masker.Mask(value));
    }

    /// <summary>A compose or env file and line as findings write them: "infra/docker-compose.yml:12" or "envs/.env.prod:3".</summary>
    [GeneratedRegex(@"([\w./-]*(?:\.ya?ml|\.env[\w.-]*)):(\d+)")]
    private static partial Regex Location();
}
