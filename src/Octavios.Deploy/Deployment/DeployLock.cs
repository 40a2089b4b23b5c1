using System.Diagnostics;
using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Deployment;

/// <summary>Who holds the deploy lock, from which machine, since when, doing what.</summary>
public sealed record LockOwner(string Who, string Machine, DateTimeOffset Since, string What)
{
    public string ToJson() => JsonSerializer.Serialize(new { who = Who, machine = Machine, since = Since.UtcDateTime.ToString("O"), what = What });

    public static LockOwner? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new LockOwner(root.GetProperty("who").GetString()!, root.GetProperty("machine").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("since").GetString()!, System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("what").GetString()!);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public override string ToString() => $"{Who} on {Machine} since {Since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({What})";
}

public sealed class DeployLockedException(string message) : Exception(message);

/// <summary>
/// One deploy at a time per server: a directory created atomically (mkdir) in the project directory, with the
/// owner recorded inside. A second deploy stops at once naming the holder, or waits up to --lock-wait.
/// </summary>
public sealed class DeployLock(ICommandRunner target, IDeployLog log)
{
    public const string Directory = ".octavios/deploy.lock";

    public static Command Take(LockOwner owner) =>
        new("sh", ["-c", "mkdir -p \"$(dirname \"$1\")\" && mkdir \"$1\" 2>/dev/null && cat > \"$1/owner.json\"", "sh", Directory])
        {
            StandardInput = new CommandArg(owner.ToJson()),
            Title = "take the deploy lock",
        };

    public static Command Break() => new("rm", ["-rf", "--", Directory]) { Title = "release the deploy lock" };

    public async Task AcquireAsync(LockOwner owner, TimeSpan wait, TimeSpan staleAfter, string unlockHint, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if ((await target.TryRunAsync(Take(owner), cancellation)).Succeeded)
            {
                if (!target.IsDryRun) log.Verbose($"[{target.Target}] deploy lock taken");
                return;
            }

            var holder = LockOwner.Parse((await target.TryRunAsync(RemoteFiles.Read($"{Directory}/owner.json"), cancellation)).StandardOutput);
            var described = holder?.ToString() ?? "an owner not yet recorded";
            if (holder is not null && DateTimeOffset.UtcNow - holder.Since > staleAfter)
                throw new DeployLockedException(
                    $"[{target.Target}] the deploy lock is stale: held by {described}, older than {staleAfter.TotalMinutes:0} min. If no deploy is running there, break it: {unlockHint}");
            if (clock.Elapsed >= wait)
                throw new DeployLockedException(
                    $"[{target.Target}] another deploy holds the lock: {described}." + (wait > TimeSpan.Zero ? $" Waited {wait.TotalSeconds:0}s." : " Wait for it with --lock-wait=SECONDS."));
            log.Information($"[{target.Target}] waiting for the deploy lock held by {described}");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellation);
        }
    }

    public Task ReleaseAsync(CancellationToken cancellation = default) => target.RunAsync(Break(), cancellation);
}
