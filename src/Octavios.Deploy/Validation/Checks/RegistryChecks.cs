using Octavios.Deploy.Compose;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Images;
using Octavios.Deploy.Registry;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>registry.image: the image each selected service will pull exists, asked of the registry directly, all at once.</summary>
public static class RegistryChecks
{
    public static async Task<IReadOnlyList<Finding>> RunAsync(IReadOnlyDictionary<string, string> images, RegistryClient client,
        Func<string, Task<RegistryCredentials?>> credentials, ICommandRunner local, IDeployLog log, CancellationToken cancellation = default)
    {
        if (local.IsDryRun)
        {
            foreach (var (_, image) in images)
                log.Information($"[dry run] [local] HEAD {ImageReference.Parse(image).Scheme}://{ImageReference.Parse(image).ApiHost}/v2/.../manifests/{ImageReference.Parse(image).Tag}");
            return [];
        }

        var checks = images.Select(async pair =>
        {
            var reference = ImageReference.Parse(pair.Value);
            try
            {
                var exists = await client.ManifestExistsAsync(reference, await credentials(reference.Registry), cancellation);
                return exists
                    ? Finding.Info("registry.image", $"{pair.Key}: {pair.Value} exists")
                    : Finding.Error("registry.image", $"{pair.Key}: {reference.Short} was never pushed to {reference.Registry} ({pair.Value}): push it first (--target=Push)");
            }
            catch (RegistryException error)
            {
                return Finding.Error("registry.image", $"{pair.Key}: cannot check {pair.Value}: {error.Message}");
            }
        });
        return await Task.WhenAll(checks);
    }
}
