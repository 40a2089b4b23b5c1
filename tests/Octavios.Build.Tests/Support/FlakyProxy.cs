using System.Net;
using System.Net.Sockets;

namespace Octavios.Build.Tests.Support;

/// <summary>A TCP proxy on loopback in front of a registry that answers the docker engine's first N requests with HTTP 503.</summary>
public sealed class FlakyProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private int _failuresLeft;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Failed { get; private set; }

    public FlakyProxy(int targetPort, int failures)
    {
        _target = targetPort;
        _failuresLeft = failures;
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[16384];
            var read = await stream.ReadAsync(buffer);
            // Only the engine's own requests (docker push) fail; the suite's registry checks pass through.
            var fromEngine = System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains("User-Agent: docker/", StringComparison.Ordinal);
            if (fromEngine && Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                Failed++;
                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _target);
            var other = upstream.GetStream();
            await other.WriteAsync(buffer.AsMemory(0, read));
            await Task.WhenAny(stream.CopyToAsync(other, _stop.Token), other.CopyToAsync(stream, _stop.Token));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
