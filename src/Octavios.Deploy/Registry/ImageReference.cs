namespace Octavios.Deploy.Registry;

/// <summary>An image reference split the way the docker CLI splits it: registry host, repository, tag.</summary>
public sealed record ImageReference(string Registry, string Repository, string Tag)
{
    public const string DockerHub = "docker.io";

    public static ImageReference Parse(string reference)
    {
        var slash = reference.IndexOf('/');
        var first = slash < 0 ? "" : reference[..slash];
        var isHost = first.Contains('.') || first.Contains(':') || first == "localhost";
        var registry = isHost ? first : DockerHub;
        var rest = isHost ? reference[(slash + 1)..] : reference;
        var colon = rest.LastIndexOf(':');
        var (repository, tag) = colon > rest.LastIndexOf('/') && colon >= 0 ? (rest[..colon], rest[(colon + 1)..]) : (rest, "latest");
        if (registry == DockerHub && !repository.Contains('/')) repository = "library/" + repository;
        return new ImageReference(registry, repository, tag);
    }

    /// <summary>The host that serves the registry's HTTP API.</summary>
    public string ApiHost => Registry is DockerHub or "index.docker.io" ? "registry-1.docker.io" : Registry;

    /// <summary>Docker treats loopback registries as plain HTTP; everything else is HTTPS.</summary>
    public string Scheme => Registry.StartsWith("localhost", StringComparison.Ordinal) || Registry.StartsWith("127.", StringComparison.Ordinal) ? "http" : "https";

    public string Short => $"{Repository.Split('/')[^1]}:{Tag}";

    public override string ToString() => $"{Registry}/{Repository}:{Tag}";
}
