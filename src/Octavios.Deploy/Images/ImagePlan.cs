using System.Globalization;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Images;

/// <summary>The image of one service for one release: where it is built from, its tags and its OCI labels.</summary>
public sealed record ImagePlan(string Service, string Repository, string ReleaseTag, IReadOnlyList<string> ExtraTags, BuildSpec Build)
{
    public string Reference => $"{Repository}:{ReleaseTag}";

    public IEnumerable<string> AllReferences => ExtraTags.Select(t => $"{Repository}:{t}").Prepend(Reference);

    public string LatestReference => $"{Repository}:latest";

    /// <summary>Release tag X.Y.Z, the traceable X.Y.Z-YYYYMMDD-HHMM (UTC), and latest when it moves at push (tags.latestAt: push).</summary>
    public static IReadOnlyList<string> TagsFor(ReleaseVersion version, DateTimeOffset builtAt, bool latest)
    {
        var tags = new List<string> { version.ToString(), $"{version}-{builtAt.UtcDateTime.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}" };
        if (latest) tags.Add("latest");
        return tags;
    }

    public static ImagePlan Create(SuiteConfig config, SelectedService service, ReleaseVersion version, string revision,
        DateTimeOffset builtAt, string? source, bool noCache)
    {
        var settings = service.Settings;
        var repository = config.ImageRepository(settings);
        var tags = TagsFor(version, builtAt, config.Tags.Latest && config.Tags.LatestAt == "push");
        var labels = new Dictionary<string, string>
        {
            ["org.opencontainers.image.version"] = version.ToString(),
            ["org.opencontainers.image.revision"] = revision,
            ["org.opencontainers.image.created"] = builtAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (source is not null) labels["org.opencontainers.image.source"] = source;
        var spec = new BuildSpec(
            config.ResolvePath(settings.Context),
            settings.Dockerfile.Length == 0 ? null : config.ResolvePath(settings.Dockerfile),
            [$"{repository}:{tags[0]}"],
            settings.BuildArgs.ToDictionary(a => a.Key, a => new CommandArg(a.Value)),
            labels,
            noCache);
        return new ImagePlan(service.Name, repository, tags[0], tags.Skip(1).ToList(), spec);
    }
}
