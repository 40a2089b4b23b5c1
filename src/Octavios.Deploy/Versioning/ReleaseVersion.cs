using Semver;

namespace Octavios.Deploy.Versioning;

/// <summary>
/// A release version: strict semver 2.0 X.Y.Z with an optional pre-release and no build metadata, usable as a Docker
/// tag (128 characters at most). Never "latest". Ordered by semver precedence (Semver's implementation):
/// 1.0.0-rc.2 &lt; 1.0.0-rc.10 &lt; 1.0.0.
/// </summary>
public sealed class ReleaseVersion : IComparable<ReleaseVersion>, IEquatable<ReleaseVersion>
{
    /// <summary>Docker's limit for a tag; the timestamped alias adds 14 characters to the release tag.</summary>
    public const int MaxLength = 128 - 14;

    private readonly SemVersion _version;

    private ReleaseVersion(SemVersion version) => _version = version;

    public string? PreRelease => _version.IsPrerelease ? _version.Prerelease : null;

    public static ReleaseVersion Parse(string? text, string argumentName = "--version") =>
        TryParse(text, out var version, out var problem) ? version : throw new DeployInputException(problem.Replace("{argument}", argumentName));

    public static bool TryParse(string? text, out ReleaseVersion version, out string problem)
    {
        version = null!;
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "{argument} is empty; give a release version such as 0.2.3.";
            return false;
        }

        if (text.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            problem = "{argument}=latest is refused: a deploy names the exact release (X.Y.Z, e.g. 0.2.3) so it can be checked and rolled back.";
            return false;
        }

        // Only the length is shown for an overlong value: it may be pasted garbage.
        if (text.Length > MaxLength)
        {
            problem = $"{{argument}} is {text.Length} characters long: a release version is at most {MaxLength} (a Docker tag stops at 128).";
            return false;
        }

        try
        {
            var parsed = SemVersion.Parse(text, SemVersionStyles.Strict);
            if (parsed.Metadata.Length == 0 && parsed.Major <= int.MaxValue && parsed.Minor <= int.MaxValue && parsed.Patch <= int.MaxValue)
            {
                version = new ReleaseVersion(parsed);
                return true;
            }
        }
        catch (Exception error) when (error is FormatException or OverflowException)
        {
        }

        problem = $"{{argument}}='{Output.PrintableText.Inline(text)}' is not a release version: expected X.Y.Z or X.Y.Z-PRERELEASE (e.g. 0.2.3, 1.0.0-rc.1), digits without leading zeros, each number below 2147483648.";
        return false;
    }

    public int CompareTo(ReleaseVersion? other) => other is null ? 1 : _version.ComparePrecedenceTo(other._version);

    public bool Equals(ReleaseVersion? other) => other is not null && _version.Equals(other._version);

    public override bool Equals(object? obj) => obj is ReleaseVersion other && Equals(other);

    public override int GetHashCode() => _version.GetHashCode();

    public override string ToString() => _version.ToString();
}
