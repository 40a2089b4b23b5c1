using Octavios.Deploy.Output;

namespace Octavios.Deploy.Configuration;

/// <summary>What --services asked for: named services, every service, or the ones Detect finds changed.</summary>
public sealed record ServiceSelection(IReadOnlyList<string> Names, bool IsChanged)
{
    public const string All = "all";
    public const string Changed = "changed";

    /// <summary>Accepts repeated values, each a name or a space/comma-separated list; "all" and "changed" stand alone.</summary>
    public static ServiceSelection Parse(IEnumerable<string> values, IReadOnlyList<string> known)
    {
        var names = values.SelectMany(v => v.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToList();
        var valid = $"Valid values: {string.Join(", ", known)}, or '{All}' or '{Changed}'.";
        if (names.Count == 0) throw new DeployInputException($"--services is empty. {valid}");
        var keywords = names.Where(n => n is All or Changed).Distinct().ToList();
        if (keywords.Count > 0 && names.Count > 1)
            throw new DeployInputException($"--services='{PrintableText.Inline(string.Join(" ", names))}': '{keywords[0]}' cannot be combined with other names. {valid}");
        if (keywords.Count == 1)
            return keywords[0] == All ? new ServiceSelection(known, false) : new ServiceSelection([], true);

        var unknown = names.Where(n => !known.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new DeployInputException($"Unknown service{(unknown.Count > 1 ? "s" : "")} in --services: {string.Join(", ", unknown.Select(u => $"'{PrintableText.Inline(u)}'"))}. {valid}");
        return new ServiceSelection(known.Where(names.Contains).ToList(), false);
    }
}
