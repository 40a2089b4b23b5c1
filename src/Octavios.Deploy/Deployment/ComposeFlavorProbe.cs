using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>Compose v2 when the target has it, else v1, asked once per target and run; a dry run assumes v2 and says so.</summary>
public static class ComposeFlavorProbe
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ICommandRunner, Task<ComposeFlavor>> Known = new();

    public static Task<ComposeFlavor> DetectAsync(ICommandRunner runner, IDeployLog log, CancellationToken cancellation = default)
    {
        if (!runner.IsDryRun) return Known.GetValue(runner, r => AskAsync(r, cancellation));
        log.Information($"[dry run] [{runner.Target}] Compose v2 or v1, whichever the target has; the plan shows v2");
        return Task.FromResult(ComposeFlavor.V2);
    }

    private static async Task<ComposeFlavor> AskAsync(ICommandRunner runner, CancellationToken cancellation)
    {
        if ((await runner.TryRunAsync(ComposeCommands.DetectV2(), cancellation)).Succeeded) return ComposeFlavor.V2;
        if ((await runner.TryRunAsync(ComposeCommands.DetectV1(), cancellation)).Succeeded) return ComposeFlavor.V1;
        throw new InvalidOperationException($"[{runner.Target}] neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed.");
    }
}
