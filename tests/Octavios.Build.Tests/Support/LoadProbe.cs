using System.Diagnostics;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// A bounded load probe on loopback: GETs a URL at a steady rate until disposed (or its time limit), counting answers
/// that are not 200 and requests that fail. Each request has its own short timeout, so a hung proxy counts as failed.
/// </summary>
public sealed class LoadProbe : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private readonly List<string> _failures = [];
    private int _sent;
    private int _ok;

    public LoadProbe(string url, int perSecond = 20, TimeSpan? limit = null)
    {
        var host = new Uri(url);
        Assert.That(host.IsLoopback || host.Host.StartsWith("10.231.0.", StringComparison.Ordinal), Is.True, "load only ever goes to loopback or the fleet lab's bridge");
        _stop = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(5));
        _loop = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var requests = new List<Task>();
            while (!_stop.IsCancellationRequested)
            {
                requests.Add(OneAsync(url));
                var next = TimeSpan.FromSeconds((double)Interlocked.Increment(ref _sent) / perSecond);
                if (next > clock.Elapsed) await Task.Delay(next - clock.Elapsed, CancellationToken.None);
            }

            await Task.WhenAll(requests);
        });
    }

    public int Sent => _sent;

    public int Succeeded => _ok;

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures) return _failures.ToList();
        }
    }

    /// <summary>Stops sending and waits for the requests in flight.</summary>
    public LoadProbe Stop()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(10));
        return this;
    }

    public override string ToString() => $"{Succeeded} of {Sent} requests answered 200; failures: {string.Join("; ", Failures.Take(5))}";

    private async Task OneAsync(string url)
    {
        try
        {
            using var response = await _http.GetAsync(url);
            if (response.IsSuccessStatusCode) Interlocked.Increment(ref _ok);
            else lock (_failures) _failures.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode}");
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            lock (_failures) _failures.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {error.GetType().Name}: {error.Message}");
        }
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
        _http.Dispose();
    }
}

/// <summary>Samples, every 100 ms, how many containers of a service run: the lowest count seen says whether it was ever down.</summary>
public sealed class RunningSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(5));
    private readonly Task _loop;

    public int Lowest { get; private set; } = int.MaxValue;

    public RunningSampler(string project, string service)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var running = Shell.Run("docker", ["ps", "--quiet", "--filter", $"label=com.docker.compose.project={project}",
                    "--filter", $"label=com.docker.compose.service={service}", "--filter", "status=running"]);
                if (running.ExitCode == 0) Lowest = Math.Min(Lowest, running.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
                await Task.Delay(100, CancellationToken.None);
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
