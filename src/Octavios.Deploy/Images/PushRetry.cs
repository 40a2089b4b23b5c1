using Octavios.Deploy.Execution;
using Polly;
using Polly.Retry;

namespace Octavios.Deploy.Images;

public enum PushFailure
{
    /// <summary>Network trouble or a 5xx: worth another try.</summary>
    Transient,

    /// <summary>The registry refused the token (it expired mid-push): worth another try after logging in again.</summary>
    Unauthorized,

    /// <summary>Anything else (unknown image, denied repository): retrying cannot help.</summary>
    Permanent,
}

/// <summary>Which failed pushes are retried, how often and with what waits (exponential, through Polly).</summary>
public static class PushRetry
{
    public const int MaxRetries = 4;

    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);

    private static readonly string[] TransientSigns =
    [
        "503", "502", "504", "500 Internal", "unexpected HTTP status: 5", "Service Unavailable", "Bad Gateway", "Gateway Timeout",
        "connection refused", "connection reset", "i/o timeout", "TLS handshake timeout", "EOF", "broken pipe", "no such host",
        "timeout exceeded", "context deadline exceeded",
    ];

    private static readonly string[] UnauthorizedSigns = ["unauthorized", "insufficient_scope", "authentication required", "token expired"];

    public static PushFailure Classify(string error)
    {
        if (UnauthorizedSigns.Any(s => error.Contains(s, StringComparison.OrdinalIgnoreCase))) return PushFailure.Unauthorized;
        return TransientSigns.Any(s => error.Contains(s, StringComparison.OrdinalIgnoreCase)) ? PushFailure.Transient : PushFailure.Permanent;
    }

    /// <summary>
    /// Retries a failed push up to <see cref="MaxRetries"/> times, waiting baseDelay, 2×, 4×, 8×; an unauthorized
    /// failure is retried only when <paramref name="relogin"/> can log in again, and it does so before the retry.
    /// </summary>
    public static ResiliencePipeline<CommandResult> Pipeline(TimeSpan baseDelay, Func<CancellationToken, Task>? relogin,
        Action<int, TimeSpan, string>? onRetry = null) =>
        new ResiliencePipelineBuilder<CommandResult>()
            .AddRetry(new RetryStrategyOptions<CommandResult>
            {
                MaxRetryAttempts = MaxRetries,
                Delay = baseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Succeeded: false } result && Classify(result.StandardError + result.StandardOutput) switch
                {
                    PushFailure.Transient => true,
                    PushFailure.Unauthorized => relogin is not null,
                    _ => false,
                }),
                OnRetry = async args =>
                {
                    var error = args.Outcome.Result!.StandardError + args.Outcome.Result.StandardOutput;
                    onRetry?.Invoke(args.AttemptNumber + 1, args.RetryDelay, error.Trim().Split('\n')[^1]);
                    if (Classify(error) == PushFailure.Unauthorized) await relogin!(args.Context.CancellationToken);
                },
            })
            .Build();
}
