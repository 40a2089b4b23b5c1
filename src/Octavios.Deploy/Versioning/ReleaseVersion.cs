using System.Text.RegularExpressions;

namespace Octavios.Deploy.Versioning;

/// <summary>A release version: semver X.Y.Z with an optional pre-release, usable as a Docker tag. Never "latest".</summary>
public sealed partial record ReleaseVersion(int Major, int Minor, int Patch, string? PreRelease)
{
    public static ReleaseVersion Parse(string? text, string argumentName = "--version")
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new DeployInputException($"{argumentName} is empty; give a release version such as 0.2.3.");
        if (text.Equals("latest", StringComparison.OrdinalIgnoreCase))
            throw new DeployInputException(
                $"{argumentName}=latest is refused: a deploy names the exact release (X.Y.Z, e.g. 0.2.3) so it can be checked and rolled back.");
        var match = SemVer().Match(text);
        if (!match.Success)
            throw new DeployInputException(
                $"{argumentName}='{text}' is not a release version: expected X.Y.Z or X.Y.Z-PRERELEASE (e.g. 0.2.3, 1.0.0-rc.1), digits without leading zeros.");
        return new ReleaseVersion(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value),
            int.Parse(match.Groups[3].Value), match.Groups[4].Success ? match.Groups[4].Value : null);
    }

    public override string ToString() => $"{Major}.{Minor}.{Patch}" + (PreRelease is null ? "" : "-" + PreRelease);

    // Pre-release identifiers: dot-separated alphanumerics/hyphens, numeric ones without leading zeros (semver 2.0 §9).
    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$")]
    private static partial Regex SemVer();
}
