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

            log.Information($"{image.Service}: {string.Join(", ", image.AllReferences)}");
        }
    }

    public async Task PushAsync(IEnumerable<ImagePlan> images, CancellationToken cancellation = default)
    {
        foreach (var reference in images.SelectMany(i => i.AllReferences))
        {
            await local.RunAsync(DockerCommands.Push(reference), cancellation);
            log.Information($"Pushed {reference}");
        }
    }
}
