using System.Net;
using System.Net.Sockets;

namespace Octavios.Build.Tests.Support;

/// <summary>A TCP proxy on loopback that counts every byte passing through it, both ways.</summary>
public sealed class CountingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private long _bytes;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Bytes => Interlocked.Read(ref _bytes);

    public CountingProxy(int targetPort)
    {
        _target = targetPort;
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
            await upstream.ConnectAsync(IPAddress.Loopback, _target);
            await Task.WhenAny(CopyAsync(client.GetStream(), upstream.GetStream()), CopyAsync(upstream.GetStream(), client.GetStream()));
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
        catch (Exception) when (_stop.IsCancellationRequested || true)
        {
        }
    }

    /// <summary>Drops every connection through the proxy at once, as a network failure would.</summary>
    public void Cut()
    {
        lock (_open)
        {
            foreach (var connection in _open) connection.Client.Close(0);
            _open.Clear();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
