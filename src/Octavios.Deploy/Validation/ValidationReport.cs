using System.Text;
using System.Text.Json;

namespace Octavios.Deploy.Validation;

/// <summary>Everything Validate found, as a console table, JSON (--report) and Markdown ($GITHUB_STEP_SUMMARY).</summary>
public sealed record ValidationReport(string Environment, IReadOnlyList<Finding> Findings)
{
    public IEnumerable<Finding> Errors => Findings.Where(f => f.Severity == Severity.Error);

    public IEnumerable<Finding> Warnings => Findings.Where(f => f.Severity == Severity.Warning);

    public bool Passed => !Errors.Any();

    public string Summary => $"{Errors.Count()} error(s), {Warnings.Count()} warning(s)";

    public IEnumerable<string> TableLines()
    {
        var width = Findings.Select(f => f.Check.Length).DefaultIfEmpty(5).Max();
        yield return $"{"SEVERITY",-8}  {"CHECK".PadRight(width)}  MESSAGE";
        foreach (var finding in Findings.OrderBy(f => f.Severity))
            yield return $"{finding.Severity.ToString().ToUpperInvariant(),-8}  {finding.Check.PadRight(width)}  {finding.Message}";
        yield return $"Validate ({Environment}): {(Passed ? "passed" : "FAILED")}, {Summary}";
    }

    public string Json() => JsonSerializer.Serialize(new
    {
        environment = Environment,
        passed = Passed,
        errors = Errors.Count(),
        warnings = Warnings.Count(),
        findings = Findings.Select(f => new { check = f.Check, severity = f.Severity.ToString().ToLowerInvariant(), message = f.Message }),
    }, new JsonSerializerOptions { WriteIndented = true });

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"### Validate ({Environment}): {(Passed ? "passed" : "failed")}, {Summary}");
        text.AppendLine();
        text.AppendLine("| severity | check | message |");
        text.AppendLine("|---|---|---|");
        foreach (var finding in Findings.Where(f => f.Severity != Severity.Info).OrderBy(f => f.Severity))
            text.AppendLine($"| {finding.Severity.ToString().ToLowerInvariant()} | `{finding.Check}` | {finding.Message.Replace("|", "\\|")} |");
        return text.ToString();
    }
}
