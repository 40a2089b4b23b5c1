using System.Text.RegularExpressions;
using Cake.Common.Build.GitHubActions;
using Cake.Common.Build.GitHubActions.Data;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Validation;

namespace Octavios.Build;

/// <summary>
/// What a run leaves for a GitHub Actions workflow, through Cake.Common's commands: an annotation per finding (with the
/// compose or env file and line it names), step outputs (Detect's services, Push's digests). Nothing elsewhere.
/// </summary>
public sealed partial class GitHubActionsOutput(Func<IGitHubActionsProvider> provider, SecretMasker masker)
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
            var annotation = new GitHubActionsAnnotation { Title = finding.Check };
            if (Location().Match(finding.Message) is { Success: true } at)
            {
                annotation.File = at.Groups[1].Value;
                annotation.StartLine = int.Parse(at.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            var message = masker.Mask(finding.Message);
            if (finding.Severity == Severity.Error) Github.Commands.Error(message, annotation);
            else Github.Commands.Warning(message, annotation);
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
