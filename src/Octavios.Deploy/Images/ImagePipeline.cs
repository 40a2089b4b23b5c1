using Octavios.Deploy.Registry;
using System.Text.RegularExpressions;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Images;

/// <summary>Builds, tags and pushes the images of a release on this machine.</summary>
public sealed partial class ImagePipeline(ICommandRunner local, IDeployLog log)
{
    /// <summary>Builds up to <paramref name="parallelism"/> images at once; a failure fails the whole after the others finish, with its own output shown.</summary>
    public async Task BuildAsync(IReadOnlyList<ImagePlan> images, int parallelism, CancellationToken cancellation = default)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, parallelism));
        var results = await Task.WhenAll(images.Select(async image =>
        {
            await slots.WaitAsync(cancellation);
            try
            {
                log.Information($"Building {image.Service} as {image.Reference}");
                var result = await local.TryRunAsync(DockerCommands.Build(image.Build), cancellation);
                if (result.Succeeded && !local.IsDryRun) log.Information($"Built {image.Service}");
                return (image, result);
            }
            finally
            {
                slots.Release();
            }
        }));

        var failed = results.Where(r => !r.result.Succeeded).ToList();
        foreach (var (image, result) in failed)
            log.Error($"--- build of {image.Service} failed (exit {result.ExitCode}) ---\n{result.StandardOutput}{result.StandardError}--- end of {image.Service} ---");
        if (failed.Count > 0)
            throw new InvalidOperationException($"{failed.Count} of {images.Count} image build(s) failed: {string.Join(", ", failed.Select(f => f.image.Service))} (output above)");
    }

    public async Task TagAsync(IEnumerable<ImagePlan> images, CancellationToken cancellation = default)
    {
        foreach (var image in images)
        {
            foreach (var reference in image.AllReferences.Skip(1))
            {
                await local.RunAsync(DockerCommands.Tag(image.Reference, reference), cancellation);
            }

            if (!local.IsDryRun) log.Information($"{image.Service}: {string.Join(", ", image.AllReferences)}");
        }
    }

    /// <summary>
    /// Pushes every tag, several at once, each through <see cref="PushRetry"/>; logs in first (password through
    /// stdin) when credentials were given, and again when the registry says a token expired. Prints each digest.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> PushAsync(IReadOnlyList<ImagePlan> images, string registry, RegistryCredentials? credentials, TimeSpan retryDelay,
        int parallelism = 3, CancellationToken cancellation = default, Func<ImagePlan, IEnumerable<string>>? references = null)
    {
        var digests = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        references ??= image => image.AllReferences;
        Func<CancellationToken, Task>? login = credentials is null
            ? null
            : token => local.RunAsync(DockerCommands.Login(registry, credentials.Username, credentials.Password), token);
        if (login is not null) await login(cancellation);

        var pipeline = PushRetry.Pipeline(retryDelay, login, (attempt, delay, error) =>
            log.Warning($"push failed ({error}); retry {attempt} of {PushRetry.MaxRetries} in {delay.TotalSeconds:0.#}s"));
        // Images go in parallel; the tags of one image go one after the other (concurrent pushes of the same layers race).
        var total = images.Sum(i => references(i).Count());
        var done = 0;
        using var slots = new SemaphoreSlim(Math.Max(1, parallelism));
        await Task.WhenAll(images.Select(async image =>
        {
            await slots.WaitAsync(cancellation);
            try
            {
                foreach (var reference in references(image))
                {
                    var result = await pipeline.ExecuteAsync(async token => await local.TryRunAsync(DockerCommands.Push(reference), token), cancellation);
                    if (!result.Succeeded) throw new CommandFailedException(local.Target, DockerCommands.Push(reference), result);
                    if (Digest(result.StandardOutput) is { } digest) digests[reference] = digest;
                    if (!local.IsDryRun)
                        log.Information($"[{Interlocked.Increment(ref done)}/{total}] pushed {reference} {Digest(result.StandardOutput) ?? ""}".TrimEnd());
                }
            }
            finally
            {
                slots.Release();
            }
        }));
        return digests;
    }

    /// <summary>
    /// Moves <c>latest</c> to a release once it is deployed and healthy: tags the release image (pulled first when this
    /// machine lacks it, as in a CI job apart from the build) and pushes only that tag.
    /// </summary>
    public async Task PromoteLatestAsync(IReadOnlyList<ImagePlan> images, string? registry, RegistryCredentials? credentials, TimeSpan retryDelay,
        CancellationToken cancellation = default)
    {
        foreach (var image in images)
        {
            if (registry is not null && !(await local.TryRunAsync(DockerCommands.ImageId(image.Reference), cancellation)).Succeeded)
                await local.RunAsync(DockerCommands.Pull(image.Reference), cancellation);
            await local.RunAsync(DockerCommands.Tag(image.Reference, image.LatestReference), cancellation);
        }

        if (registry is not null) await PushAsync(images, registry, credentials, retryDelay, cancellation: cancellation, references: i => [i.LatestReference]);
        if (!local.IsDryRun) log.Information($"latest now names {string.Join(", ", images.Select(i => i.Reference))}");
    }

    /// <summary>The digest docker push prints last: "0.2.3: digest: sha256:… size: 527".</summary>
    public static string? Digest(string pushOutput) => DigestLine().Match(pushOutput) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex DigestLine();
}
