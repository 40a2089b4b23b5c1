using System.Text.RegularExpressions;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Maintenance;

/// <summary>One tag of a service image on the target.</summary>
public sealed record ImageTag(string Repository, string Tag, string ImageId)
{
    public string Reference => $"{Repository}:{Tag}";
}

/// <summary>
/// Which image tags Prune removes for one service: releases older than the running one beyond the newest
/// <c>keep</c>, with their timestamp aliases; never an image a container uses, never the rollback version,
/// never latest, never a release newer than the running one.
/// </summary>
public static partial class PrunePlan
{
    public static IReadOnlyList<ImageTag> Removable(IReadOnlyList<ImageTag> tags, string? running, string? rollback, int keep, IReadOnlySet<string> imagesInUse)
    {
        if (running is null || !ReleaseVersion.TryParse(running, out var current, out _)) return [];
        // Semver precedence, never string order: 1.0.0-rc.10 is newer than 1.0.0-rc.9.
        var releases = tags.Select(t => ReleaseOf(t.Tag)).OfType<string>().Distinct()
            .Select(r => (Name: r, Version: ReleaseVersion.Parse(r)))
            .Where(r => r.Version.CompareTo(current) < 0)
            .OrderByDescending(r => r.Version)
            .ToList();
        var doomed = releases.Skip(keep).Select(r => r.Name).Where(r => r != rollback).ToHashSet();
        return tags.Where(t => ReleaseOf(t.Tag) is { } release && doomed.Contains(release) && !imagesInUse.Contains(t.ImageId)).ToList();
    }

    /// <summary>The release a tag belongs to: itself for X.Y.Z, X.Y.Z for a X.Y.Z-YYYYMMDD-HHMM alias, null for latest and others.</summary>
    public static string? ReleaseOf(string tag)
    {
        var alias = Timestamp().Match(tag);
        var release = alias.Success ? alias.Groups[1].Value : tag;
        return ReleaseVersion.TryParse(release, out _, out _) ? release : null;
    }

    [GeneratedRegex(@"^(.+)-\d{8}-\d{4}$")]
    private static partial Regex Timestamp();
}
