using System.Diagnostics;

namespace Octavios.Deploy.Execution;

/// <summary>A long command is never silent: every few seconds it says it is still running, and for how long.</summary>
public static class Progress
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(4);

    public static async Task ReportAsync(Task work, IDeployLog log, string target, string? title)
    {
        if (title is null)
        {
            await work;
            return;
        }

        var clock = Stopwatch.StartNew();
        while (await Task.WhenAny(work, Task.Delay(Every)) != work)
            log.Information($"[{target}] {title}: still running, {clock.Elapsed.TotalSeconds:0}s");
        await work;
    }
}
