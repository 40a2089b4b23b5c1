using System.Net;
using System.Net.Sockets;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// A TCP proxy on loopback that counts every byte passing through it, both ways; it can drop every connection at
/// once (<see cref="Cut"/>), and answer the Docker engine's first N requests with HTTP 503 (a flaky registry).
/// </summary>
public sealed class CountingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private long _bytes;
    private int _failuresLeft;
    private int _failed;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Failed => _failed;

    public CountingProxy(int targetPort, int failEngineRequests = 0)
    {
        _target = targetPort;
        _failuresLeft = failEngineRequests;
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => PipeAsync(client));
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            lock (_open) _open.AddRange([client, upstream]);
            var stream = client.GetStream();
            if (Volatile.Read(ref _failuresLeft) > 0)
            {
                // HTTP: the client speaks first, so its request can be looked at before anything goes upstream.
                var first = new byte[16384];
                var read = await stream.ReadAsync(first, _stop.Token);
                // Only the engine's own requests (docker push) fail; the suite's registry checks pass through.
                var fromEngine = System.Text.Encoding.ASCII.GetString(first, 0, read).Contains("User-Agent: docker/", StringComparison.Ordinal);
                if (fromEngine && Interlocked.Decrement(ref _failuresLeft) >= 0)
                {
                    await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                    Interlocked.Increment(ref _failed);
                    return;
                }

                await upstream.ConnectAsync(IPAddress.Loopback, _target);
                Interlocked.Add(ref _bytes, read);
                await upstream.GetStream().WriteAsync(first.AsMemory(0, read), _stop.Token);
            }
            else
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target);
            }

            await Task.WhenAny(CopyAsync(stream, upstream.GetStream()), CopyAsync(upstream.GetStream(), stream));
            lock (_open) _open.RemoveAll(c => c == client || c == upstream);
        }
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[65536];
        int read;
        try
        {
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                Interlocked.Add(ref _bytes, read);
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception)
        {
            // A cut or a closed peer ends the copy; the other direction notices by itself.
        }
    }

    /// <summary>Drops every connection through the proxy at once, as a network failure would.</summary>
    public void Cut()
    {
        lock (_open)
        {
            foreach (var connection in _open) connection.Client?.Close(0);
            _open.Clear();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
