using Microsoft.Extensions.FileSystemGlobbing;
using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.Detection;

/// <summary>The services a changed file belongs to, with the files that triggered each.</summary>
public sealed record ServiceChange(string Service, IReadOnlyList<string> Files);

/// <summary>Maps changed paths (relative to the configuration's folder) to services through the configured globs.</summary>
public static class ServicePathMap
{
    public static IReadOnlyList<ServiceChange> Map(SuiteConfig config, IReadOnlyCollection<string> changedPaths)
    {
        var shared = Matches(config.SharedPaths, changedPaths);
        return config.Services
            .Select(s => new ServiceChange(s.Key, shared.Concat(Matches(s.Value.Paths, changedPaths)).Distinct().Order(StringComparer.Ordinal).ToList()))
            .Where(c => c.Files.Count > 0)
            .ToList();
    }

    private static IReadOnlyList<string> Matches(IReadOnlyList<string> globs, IReadOnlyCollection<string> paths)
    {
        if (globs.Count == 0 || paths.Count == 0) return [];
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(globs);
        // Match against a virtual root: the paths come from git, not from the disk.
        return matcher.Match("/", paths).Files.Select(f => f.Path).ToList();
    }
}
