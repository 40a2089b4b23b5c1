using System.Diagnostics;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// A real OpenSSH server on loopback, with its own host key, authorized key, known_hosts and log, standing in
/// for the production server. Commands it runs reach this machine's Docker engine.
/// </summary>
public sealed class TestSshServer : IDisposable
{
    private readonly Process _process;

    public string Directory { get; }

    public int Port { get; }

    public string ClientKey => Path.Combine(Directory, "client_key");

    public string KnownHosts => Path.Combine(Directory, "known_hosts");

    public string LogFile => Path.Combine(Directory, "sshd.log");

    public string Server => $"root@127.0.0.1:{Port}";

    private TestSshServer(string directory, int port, Process process)
    {
        Directory = directory;
        Port = port;
        _process = process;
    }

    /// <param name="dockerHost">The Docker engine the server's commands reach (SetEnv DOCKER_HOST); this machine's by default.</param>
    /// <param name="extraConfig">More sshd_config lines (AllowUsers for a bastion, say).</param>
    public static TestSshServer Start(string? dockerHost = null, string extraConfig = "")
    {
        System.IO.Directory.CreateDirectory("/run/sshd");
        var directory = System.IO.Directory.CreateTempSubdirectory("octavios-sshd-").FullName;
        Keygen(Path.Combine(directory, "host_key"));
        Keygen(Path.Combine(directory, "client_key"));
        File.Copy(Path.Combine(directory, "client_key.pub"), Path.Combine(directory, "authorized_keys"));
        var port = Shell.FreePort();
        var hostKey = File.ReadAllText(Path.Combine(directory, "host_key.pub")).Split(' ');
        File.WriteAllText(Path.Combine(directory, "known_hosts"), $"[127.0.0.1]:{port} {hostKey[0]} {hostKey[1]}\n");
        // A stock server's root shell: bash run by sshd reads ~/.bashrc only below SHLVL 2, and this machine's runs
        // pyenv init before every remote command (0.13 s idle, 0.8 s on a loaded run), which a server's would not.
        File.WriteAllText(Path.Combine(directory, "sshd_config"), $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {directory}/host_key
            AuthorizedKeysFile {directory}/authorized_keys
            PidFile {directory}/sshd.pid
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            LogLevel VERBOSE
            MaxStartups 10:30:100
            SetEnv SHLVL=1{(dockerHost is null ? "" : $" DOCKER_HOST={dockerHost}")}
            {extraConfig}
            """);
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/sshd",
            ["-D", "-f", Path.Combine(directory, "sshd_config"), "-E", Path.Combine(directory, "sshd.log")]))!;
        var server = new TestSshServer(directory, port, process);
        server.WaitUntilListening();
        return server;
    }

    /// <summary>Kills every connection's sshd child, as an OOM killer or a restart would: the clients lose their connection.</summary>
    public void KillConnections() => Shell.Run("pkill", ["-KILL", "-P", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>How many SSH connections the server accepted so far, read from its log.</summary>
    public int Connections() =>
        File.Exists(LogFile) ? File.ReadAllLines(LogFile).Count(l => l.Contains("Connection from 127.0.0.1", StringComparison.Ordinal)) : 0;

    /// <summary>This server's known_hosts line, as the suite would find it for host:port.</summary>
    public string KnownHostsLine(int? port = null)
    {
        var hostKey = File.ReadAllText(Path.Combine(Directory, "host_key.pub")).Split(' ');
        return $"[127.0.0.1]:{port ?? Port} {hostKey[0]} {hostKey[1]}";
    }

    /// <summary>Trusts this server's host key on another port too (a proxy in front of it).</summary>
    public void TrustPort(int port)
    {
        var hostKey = File.ReadAllText(Path.Combine(Directory, "host_key.pub")).Split(' ');
        File.AppendAllText(KnownHosts, $"[127.0.0.1]:{port} {hostKey[0]} {hostKey[1]}\n");
    }

    /// <summary>The environment a run needs to reach this server's project directory.</summary>
    public Dictionary<string, string> Environment(string projectDirectory) => new()
    {
        ["DEPLOY_SERVER"] = Server,
        ["DEPLOY_PROJECT_DIR"] = projectDirectory,
        ["DEPLOY_SSH_KEY"] = ClientKey,
        ["DEPLOY_KNOWN_HOSTS"] = KnownHosts,
    };

    private static void Keygen(string path)
    {
        var result = Shell.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
    }

    private void WaitUntilListening()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                client.Connect("127.0.0.1", Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(100);
            }
        }

        Assert.Fail($"sshd did not listen on {Port}: {(File.Exists(LogFile) ? File.ReadAllText(LogFile) : "no log")}");
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

        System.IO.Directory.Delete(Directory, true);
    }
}
