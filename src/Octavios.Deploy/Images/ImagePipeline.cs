using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Images;

/// <summary>Builds, tags and pushes the images of a release on this machine.</summary>
public sealed class ImagePipeline(ICommandRunner local, IDeployLog log)
{
    public async Task BuildAsync(IEnumerable<ImagePlan> images, CancellationToken cancellation = default)
    {
        foreach (var image in images)
        {
            log.Information($"Building {image.Service} as {image.Reference}");
            await local.RunAsync(DockerCommands.Build(image.Build), cancellation);
        }
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

    /// <summary>Pushes every tag; logs in first, password through stdin, when credentials were given.</summary>
    public async Task PushAsync(IEnumerable<ImagePlan> images, string registry, RegistryCredentials? credentials,
        CancellationToken cancellation = default)
    {
        if (credentials is not null)
            await local.RunAsync(DockerCommands.Login(registry, credentials.Username, credentials.Password), cancellation);
        foreach (var reference in images.SelectMany(i => i.AllReferences))
        {
            await local.RunAsync(DockerCommands.Push(reference), cancellation);
            if (!local.IsDryRun) log.Information($"Pushed {reference}");
        }
    }
}

/// <summary>Registry credentials from REGISTRY_USERNAME / REGISTRY_PASSWORD; the password is a secret everywhere.</summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    public static RegistryCredentials? FromEnvironment(Func<string, string?> variables) =>
        variables("REGISTRY_USERNAME") is { Length: > 0 } user && variables("REGISTRY_PASSWORD") is { Length: > 0 } password
            ? new RegistryCredentials(user, password)
            : null;

    public override string ToString() => $"{Username}:***";
}
