using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Images;

namespace Octavios.Deploy.Remote;

/// <summary>
/// --transfer=ssh: ships images to the server without a registry in between. A throw-away registry on this machine
/// is reached from the server through a reverse tunnel on the deploy's own SSH connection, so the server's
/// `docker pull` fetches only the layers it lacks; an image the server already has is not sent at all. Each image
/// is verified on arrival (same image ID), and every temporary tag on both sides is removed.
/// </summary>
public sealed class SshImageTransfer(ICommandRunner local, SshCommandRunner server, IDeployLog log)
{
    /// <summary>The path of a reference without its registry host: 127.0.0.1:5000/octavios/web:1.0.0 → octavios/web:1.0.0.</summary>
    public static string PathOf(string reference)
    {
        var slash = reference.IndexOf('/');
        var first = slash < 0 ? "" : reference[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? reference[(slash + 1)..] : reference;
    }

    public async Task ShipAsync(IReadOnlyList<ImagePlan> images, CancellationToken cancellation = default)
    {
        var pending = new List<(ImagePlan Image, string Id)>();
        foreach (var image in images)
        {
            var localId = (await local.RunAsync(DockerCommands.ImageId(image.Reference), cancellation)).StandardOutput.Trim();
            var remoteId = (await server.TryRunAsync(DockerCommands.ImageId(image.Reference), cancellation)).StandardOutput.Trim();
            if (remoteId == localId)
            {
                log.Information($"{image.Service}: {server.Target} already has {image.Reference} ({localId[..19]}): nothing sent");
                continue;
            }

            pending.Add((image, localId));
        }

        if (pending.Count == 0) return;
        using var registry = await LocalRegistry.StartAsync(cancellation);
        var (remotePort, tunnel) = await server.OpenReverseTunnelAsync(registry.Port, cancellation);
        using (tunnel)
        {
            foreach (var (image, id) in pending)
            {
                await ShipOneAsync(image, id, registry.Port, remotePort, cancellation);
            }
        }
    }

    private async Task ShipOneAsync(ImagePlan image, string id, int localPort, int remotePort, CancellationToken cancellation)
    {
        var staged = $"127.0.0.1:{localPort}/{PathOf(image.Reference)}";
        var arriving = $"127.0.0.1:{remotePort}/{PathOf(image.Reference)}";
        log.Information($"{image.Service}: shipping {image.Reference} to {server.Target} over SSH");
        await local.RunAsync(DockerCommands.Tag(image.Reference, staged), cancellation);
        try
        {
            await local.RunAsync(DockerCommands.Push(staged), cancellation);
            await server.RunAsync(DockerCommands.Pull(arriving), cancellation);
            try
            {
                foreach (var reference in image.AllReferences)
                    await server.RunAsync(DockerCommands.Tag(arriving, reference), cancellation);
            }
            finally
            {
                await server.TryRunAsync(DockerCommands.RemoveImage(arriving), cancellation);
            }

            var arrived = (await server.RunAsync(DockerCommands.ImageId(image.Reference), cancellation)).StandardOutput.Trim();
            if (arrived != id) throw new InvalidOperationException($"{image.Service}: {image.Reference} arrived as {arrived}, expected {id}");
            log.Information($"{image.Service}: arrived and verified ({id[..19]})");
        }
        finally
        {
            await local.TryRunAsync(DockerCommands.RemoveImage(staged), cancellation);
        }
    }
}
