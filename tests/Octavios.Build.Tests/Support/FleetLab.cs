namespace Octavios.Build.Tests.Support;

/// <summary>One host of a <see cref="FleetLab"/>: its address, its own Docker engine, its sshd's log and its /srv/octavios.</summary>
public sealed record LabHost(string Name, string Address, string DockerHost, string SshdLog, string ProjectDirectory)
{
    /// <summary>How many SSH connections this host's sshd accepted so far, read from its log.</summary>
    public int Connections() => File.Exists(SshdLog) ? File.ReadAllLines(SshdLog).Count(l => l.Contains("Connection from ", StringComparison.Ordinal)) : 0;

    /// <summary>The docker CLI against this host's engine.</summary>
    public string Docker(params string[] args)
    {
        var result = Shell.Run("docker", ["-H", DockerHost, .. args]);
        Assert.That(result.ExitCode, Is.Zero, $"[{Name}] docker {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput.Trim();
    }

    /// <summary>A Compose project's running containers on this host, by service: (id, image, health).</summary>
    public IReadOnlyDictionary<string, (string Id, string Image, string Health)> Containers(string project) =>
        Docker("ps", "--filter", $"label=com.docker.compose.project={project}", "--format",
                "{{.Label \"com.docker.compose.service\"}}|{{.ID}}|{{.Image}}|{{.Status}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .ToDictionary(f => f[0], f => (f[1], f[2], f[3].Contains("(healthy)") ? "healthy" : f[3]));
}

/// <summary>
/// Several hosts on this machine (fleet-lab.sh, after ../shared/FLEET-LAB.md): network namespaces on a private bridge,
/// each with its own Docker engine and sshd on port 22 of 10.231.0.1N; they reach the registry at the address the
/// main engine pushes to. One lab at a time (fixed names); torn down on dispose.
/// </summary>
public sealed class FleetLab : IDisposable
{
    private static readonly string Script = Path.Combine(SuiteRun.RepositoryRoot, "tests", "Octavios.Build.Tests", "Support", "fleet-lab.sh");

    public string Directory { get; }

    public IReadOnlyList<LabHost> Hosts { get; }

    public const string ProjectDirectory = "/srv/octavios";

    private FleetLab(string directory, IReadOnlyList<LabHost> hosts) => (Directory, Hosts) = (directory, hosts);

    public static FleetLab Start(int hosts, int registryPort)
    {
        var directory = Path.Combine(Path.GetTempPath(), "octavios-fleet-lab");
        var up = Shell.Run("bash", [Script, "up", directory, hosts.ToString(), registryPort.ToString()], timeout: TimeSpan.FromMinutes(2));
        if (up.ExitCode != 0)
        {
            Shell.Run("bash", [Script, "down", directory]);
            Assert.Fail($"the fleet lab did not start: {up.StandardError}");
        }

        return new FleetLab(directory, up.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(f => new LabHost(f[0], f[1], f[2], f[3], Path.Combine(directory, f[0], "srv")))
            .ToList());
    }

    /// <summary>Makes the hosts one Docker Swarm, h1 its manager.</summary>
    public void FormSwarm()
    {
        var swarm = Shell.Run("bash", [Script, "swarm", Directory], timeout: TimeSpan.FromMinutes(1));
        Assert.That(swarm.ExitCode, Is.Zero, swarm.StandardError);
    }

    public string Servers => string.Join(',', Hosts.Select(h => $"root@{h.Address}"));

    /// <summary>Environment for a run against every host of the lab.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["DEPLOY_SERVER"] = Servers,
        ["DEPLOY_PROJECT_DIR"] = ProjectDirectory,
        ["DEPLOY_SSH_KEY"] = Path.Combine(Directory, "client_key"),
        ["DEPLOY_KNOWN_HOSTS"] = Path.Combine(Directory, "known_hosts"),
    };

    public void Dispose() => Shell.Run("bash", [Script, "down", Directory], timeout: TimeSpan.FromMinutes(2));
}
