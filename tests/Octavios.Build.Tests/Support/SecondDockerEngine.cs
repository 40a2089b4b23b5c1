using System.Diagnostics;

namespace Octavios.Build.Tests.Support;

/// <summary>A second Docker engine on this machine (own data root and socket), standing in for the server's engine.</summary>
public sealed class SecondDockerEngine : IDisposable
{
    private readonly Process _process;

    public string Directory { get; }

    public string Host => $"unix://{Directory}/docker.sock";

    private readonly string _bridge;

    private SecondDockerEngine(string directory, Process process, string bridge)
    {
        Directory = directory;
        _process = process;
        _bridge = bridge;
    }

    public static SecondDockerEngine Start()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("octavios-engine-").FullName;
        // A bridge of its own: with --bridge=none, dockerd deletes the machine's docker0, which the first engine needs.
        var bridge = $"obr{Random.Shared.Next(1000, 9999)}";
        var subnet = $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(0, 250)}";
        Shell.Run("ip", ["link", "add", bridge, "type", "bridge"]);
        Shell.Run("ip", ["addr", "add", $"{subnet}.1/24", "dev", bridge]);
        Shell.Run("ip", ["link", "set", bridge, "up"]);
        var process = Shell.StartBackground("dockerd",
        [
            "--data-root", $"{directory}/data", "--exec-root", $"{directory}/exec", "--pidfile", $"{directory}/docker.pid",
            "--host", $"unix://{directory}/docker.sock", $"--bridge={bridge}", "--iptables=false", "--ip-masq=false",
        ]);
        var engine = new SecondDockerEngine(directory, process, bridge);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (engine.Docker("info").ExitCode == 0) return engine;
            Thread.Sleep(300);
        }

        engine.Dispose();
        Assert.Fail("the second Docker engine did not start");
        return engine;
    }

    public Octavios.Deploy.Execution.CommandResult Docker(params string[] args) =>
        Shell.Run("docker", ["--host", Host, .. args]);

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(15000);
        }
        catch (InvalidOperationException)
        {
        }

        Shell.Run("umount", ["-R", $"{Directory}/data"]);
        Shell.Run("rm", ["-rf", Directory]);
        Shell.Run("ip", ["link", "delete", _bridge]);
    }
}
