using System.Diagnostics;

namespace Octavios.Build.Tests.Support;

/// <summary>A second Docker engine on this machine (own data root and socket), standing in for the server's engine.</summary>
public sealed class SecondDockerEngine : IDisposable
{
    private readonly Process _process;

    public string Directory { get; }

    public string Host => $"unix://{Directory}/docker.sock";

    private SecondDockerEngine(string directory, Process process)
    {
        Directory = directory;
        _process = process;
    }

    public static SecondDockerEngine Start()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("octavios-engine-").FullName;
        var process = Shell.StartBackground("dockerd",
        [
            "--data-root", $"{directory}/data", "--exec-root", $"{directory}/exec", "--pidfile", $"{directory}/docker.pid",
            "--host", $"unix://{directory}/docker.sock", "--bridge=none", "--iptables=false", "--ip-masq=false",
        ]);
        var engine = new SecondDockerEngine(directory, process);
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
    }
}
