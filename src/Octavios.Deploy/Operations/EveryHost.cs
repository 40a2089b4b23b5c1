using Octavios.Deploy.Deployment;

namespace Octavios.Deploy.Operations;

/// <summary>What one host answered to an operation run on every host: its value, or why it failed.</summary>
public sealed record HostAnswer<T>(string Host, T? Value, string? Failure);

/// <summary>
/// An operation (Status, History, Logs, Setup, Unlock, Prune) on every host of an environment at once, a failing host never
/// stopping the others; the answers come back in the hosts' order.
/// </summary>
public static class EveryHost
{
    public static async Task<IReadOnlyList<HostAnswer<T>>> RunAsync<T>(IReadOnlyList<DeployTarget> hosts, Func<DeployTarget, Task<T>> operation,
        CancellationToken cancellation)
    {
        var answers = await Task.WhenAll(hosts.Select(async host =>
        {
            try
            {
                return new HostAnswer<T>(host.Label, await operation(host), null);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                return new HostAnswer<T>(host.Label, default, error.Message);
            }
        }));
        return answers;
    }

    /// <summary>Each line of a host's output, prefixed with the host's name when there are several hosts.</summary>
    public static IEnumerable<string> Prefixed<T>(IReadOnlyList<HostAnswer<T>> answers, Func<T, IEnumerable<string>> lines) =>
        answers.SelectMany(answer => (answer.Failure is null ? lines(answer.Value!) : [$"FAILED: {answer.Failure.Split('\n')[0]}"])
            .SelectMany(line => line.Split('\n'))
            .Select(line => answers.Count > 1 ? $"[{answer.Host}] {line}" : line));

    /// <summary>Throws, naming every host that failed and why, when one did.</summary>
    public static void ThrowIfAnyFailed<T>(IReadOnlyList<HostAnswer<T>> answers, string operation)
    {
        var failed = answers.Where(a => a.Failure is not null).ToList();
        if (failed.Count == 0) return;
        if (answers.Count == 1) throw new OperationFailedException(failed[0].Failure!);
        throw new OperationFailedException($"{operation} failed on {failed.Count} of {answers.Count} hosts: " +
                                           string.Join("; ", failed.Select(f => $"{f.Host}: {f.Failure!.Split('\n')[0]}")));
    }
}

/// <summary>An operation failed on one host or more; the message names each.</summary>
public sealed class OperationFailedException(string message) : Exception(message);
