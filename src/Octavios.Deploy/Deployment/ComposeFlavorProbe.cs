using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>
/// Compose v2 when the target has it, else v1, asked once per target and run, unless the configuration (or
/// --compose-version) says which; a dry run assumes v2 and says so.
/// </summary>
public static class ComposeFlavorProbe
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ICommandRunner, Task<ComposeFlavor>> Known = new();

    public static Task<ComposeFlavor> DetectAsync(ICommandRunner runner, IDeployLog log, ComposeFlavor? configured, CancellationToken cancellation = default)
    {
        if (configured is { } flavor) return Task.FromResult(flavor);
        if (!runner.IsDryRun) return Known.GetValue(runner, r => AskAsync(r, cancellation));
        log.Information($"[dry run] [{runner.Target}] Compose v2 or v1, whichever the target has; the plan shows v2");
        return Task.FromResult(ComposeFlavor.V2);
    }

    private static async Task<ComposeFlavor> AskAsync(ICommandRunner runner, CancellationToken cancellation)
    {
        var answer = (await runner.RunAsync(ComposeCommands.Detect(), cancellation)).StandardOutput.Trim();
        if (answer == "v2") return ComposeFlavor.V2;
        if (answer == "v1") return ComposeFlavor.V1;
        throw new InvalidOperationException($"[{runner.Target}] neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed.");
    }
}
