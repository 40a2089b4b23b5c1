using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Octavios.Deploy.Remote;

/// <summary>A throw-away registry (Debian's docker-registry) on this machine's loopback, removed with everything it stored.</summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    public int Port { get; }

    private LocalRegistry(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public static async Task<LocalRegistry> StartAsync(CancellationToken cancellation = default)
    {
        var directory = Directory.CreateTempSubdirectory("octavios-transfer-").FullName;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config,
            $"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {directory}/data\nhttp:\n  addr: 127.0.0.1:{port}\n", cancellation);
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Directory.Delete(directory, true);
            throw new InvalidOperationException("--transfer=ssh needs a local registry: apt-get install docker-registry");
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, directory, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/v2/", cancellation)).IsSuccessStatusCode) return registry;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellation);
        }

        registry.Dispose();
        throw new InvalidOperationException("the local transfer registry did not start");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        Directory.Delete(_directory, true);
    }
}
