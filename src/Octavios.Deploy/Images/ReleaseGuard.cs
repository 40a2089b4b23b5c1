using Octavios.Deploy.Registry;

namespace Octavios.Deploy.Images;

public enum ReleaseState
{
    /// <summary>The registry does not hold the release tag: build, tag and push it.</summary>
    New,

    /// <summary>The registry holds the tag, built from this very commit: nothing to build or push.</summary>
    AlreadyPushed,

    /// <summary>The registry holds the tag, built from another commit: a release tag never moves (unless --force).</summary>
    OtherCommit,
}

public sealed record ReleaseStatus(string Service, ReleaseState State, string? Digest, string? Revision);

/// <summary>A release tag is immutable: asks the registry what each X.Y.Z already is before anything is built.</summary>
public static class ReleaseGuard
{
    public static ReleaseState Judge((string Digest, string? Revision)? existing, string revision) =>
        existing is null ? ReleaseState.New : existing.Value.Revision == revision ? ReleaseState.AlreadyPushed : ReleaseState.OtherCommit;

    public static async Task<IReadOnlyList<ReleaseStatus>> CheckAsync(IEnumerable<ImagePlan> images, string revision, RegistryClient registry,
        RegistryCredentials? credentials, CancellationToken cancellation = default) =>
        await Task.WhenAll(images.Select(async image =>
        {
            var existing = await registry.ImageRevisionAsync(ImageReference.Parse(image.Reference), credentials, cancellation);
            return new ReleaseStatus(image.Service, Judge(existing, revision), existing?.Digest, existing?.Revision);
        }));
}
