using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>SSH the way operators have it: a key held only by ssh-agent, a passphrase-protected key, a ~/.ssh/config alias.</summary>
[EndToEnd]
[NonParallelizable]
public class SshAccessTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, Output(run));

    /// <summary>The rig's environment with no key file and a home of its own (no default keys, no ~/.ssh/config).</summary>
    private static Dictionary<string, string> WithoutKeyFile(ProdRig rig, string home)
    {
        var environment = rig.Environment();
        environment.Remove("DEPLOY_SSH_KEY");
        environment["HOME"] = home;
        return environment;
    }

    [Test]
    public void AKeyHeldOnlyByTheAgentAnEncryptedKeyAndAConfigAliasEachReachTheServer()
    {
        using var rig = new ProdRig();
        rig.Push("0.2.2", "backend");
        var home = Directory.CreateTempSubdirectory("octavios-home-").FullName;
        var socket = Path.Combine(home, "agent.sock");
        var agent = Shell.StartBackground("ssh-agent", ["-D", "-a", socket]);
        try
        {
            for (var i = 0; i < 50 && !File.Exists(socket); i++) Thread.Sleep(100);
            var copy = Path.Combine(home, "agent_key");
            File.Copy(rig.Ssh.ClientKey, copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.That(Shell.Run("ssh-add", [copy], new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = socket }).ExitCode, Is.Zero);
            File.Delete(copy);

            var viaAgent = WithoutKeyFile(rig, home);
            viaAgent["SSH_AUTH_SOCK"] = socket;
            Ok(rig.Run(viaAgent, "--target=Validate", "--exclusive", "--services=backend"));
            Ok(rig.Run(viaAgent, "--target=Deploy", "--services=backend", "--version=0.2.2"));
            Assert.That(rig.App.Containers()["backend"].Health, Is.EqualTo("healthy"));

            const string passphrase = "correct horse battery staple 42";
            var encrypted = Path.Combine(home, "encrypted_key");
            File.Copy(rig.Ssh.ClientKey, encrypted);
            File.SetUnixFileMode(encrypted, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.That(Shell.Run("ssh-keygen", ["-q", "-p", "-P", "", "-N", passphrase, "-f", encrypted]).ExitCode, Is.Zero);
            var withKey = WithoutKeyFile(rig, home);
            withKey["DEPLOY_SSH_KEY"] = encrypted;
            var refused = rig.Run(withKey, "--target=Validate", "--exclusive", "--services=backend");
            Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(refused));
            Assert.That(Output(refused), Does.Contain("encrypted").And.Contain("DEPLOY_SSH_KEY_PASSPHRASE"));
            withKey["DEPLOY_SSH_KEY_PASSPHRASE"] = passphrase;
            var accepted = rig.Run(withKey, "--target=Validate", "--exclusive", "--services=backend", "--verbosity=diagnostic");
            Ok(accepted);
            Assert.That(Output(refused) + Output(accepted), Does.Not.Contain(passphrase));

            var config = Path.Combine(home, "ssh_config");
            File.WriteAllText(config, $"Host other\n  HostName 192.0.2.1\nHost prod\n  HostName 127.0.0.1\n  Port {rig.Ssh.Port}\n  User root\n  IdentityFile {rig.Ssh.ClientKey}\nHost *\n  User nobody\n");
            var alias = WithoutKeyFile(rig, home);
            alias["DEPLOY_SERVER"] = "prod";
            alias["DEPLOY_SSH_CONFIG"] = config;
            Ok(rig.Run(alias, "--target=Validate", "--exclusive", "--services=backend"));
        }
        finally
        {
            agent.Kill();
            Directory.Delete(home, true);
        }
    }
}

/// <summary>
/// A server reachable only through a bastion: its sshd port refuses every local connection but those of the bastion's
/// login user (an iptables owner rule), so the suite must go through ProxyJump; both host keys are checked.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class BastionTests
{
    private const string JumpUser = "octavios-jump";

    [Test]
    public void TwelveServersBehindOneBastionAreReachedAtOnceOverOneConnectionToIt()
    {
        using var rig = new ProdRig();
        var servers = Enumerable.Range(0, 11).Select(_ => TestSshServer.Start()).Prepend(rig.Ssh).ToList();
        using var bastion = TestSshServer.Start(extraConfig: "AllowTcpForwarding yes");
        try
        {
            foreach (var server in servers.Skip(1).Append(bastion))
            {
                File.Copy(rig.Ssh.ClientKey + ".pub", Path.Combine(server.Directory, "authorized_keys"), overwrite: true);
                File.AppendAllText(rig.Ssh.KnownHosts, server.KnownHostsLine() + "\n");
            }

            var environment = rig.Environment();
            environment["DEPLOY_SERVER"] = string.Join(',', servers.Select(s => s.Server));
            environment["DEPLOY_SSH_JUMP"] = $"root@127.0.0.1:{bastion.Port}";
            // Every host at once: each forwarded connection holds one of SSH.NET's pool threads for its whole life.
            var status = rig.Run(environment, "--target=Status");
            Assert.That(status.ExitCode, Is.Zero, status.StandardOutput + status.StandardError);
            foreach (var server in servers) Assert.That(status.StandardOutput, Does.Contain(server.Server), status.StandardOutput);
            // Logins, not connections: the log's "Connection from" includes the probe that saw sshd listening, written late.
            Assert.That(File.ReadAllLines(bastion.LogFile).Count(l => l.StartsWith("Accepted publickey", StringComparison.Ordinal)), Is.EqualTo(1),
                "one connection to the bastion for every server behind it:\n" + File.ReadAllText(bastion.LogFile));
        }
        finally
        {
            servers.Skip(1).ToList().ForEach(s => s.Dispose());
        }
    }

    [Test]
    public void ADeployGoesThroughTheBastionWithBothHostKeysChecked()
    {
        using var rig = new ProdRig();
        Shell.Run("useradd", ["--create-home", "--shell", "/bin/sh", JumpUser]);
        // A new account is locked ('!'), and sshd refuses a locked account even a key: '*' is no password, but not locked.
        Shell.Run("usermod", ["--password", "*", JumpUser]);
        Assert.That(Shell.Run("id", [JumpUser]).ExitCode, Is.Zero, "the bastion's login user exists");
        using var bastion = TestSshServer.Start(extraConfig: $"AllowUsers {JumpUser}\nAllowTcpForwarding yes");
        File.Copy(rig.Ssh.ClientKey + ".pub", Path.Combine(bastion.Directory, "authorized_keys"), overwrite: true);
        // sshd reads authorized_keys as the user who logs in.
        File.SetUnixFileMode(bastion.Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(bastion.Directory, "authorized_keys"), (UnixFileMode)0b110_100_100);
        File.AppendAllText(rig.Ssh.KnownHosts, bastion.KnownHostsLine() + "\n");
        string[] Rule(string action, string target) =>
            [action, "OUTPUT", "-p", "tcp", "-d", "127.0.0.1", "--dport", rig.Ssh.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. target == "ACCEPT" ? new[] { "-m", "owner", "--uid-owner", JumpUser } : [], "-j", target];
        Assert.That(Shell.Run("iptables", Rule("-I", "REJECT")).ExitCode, Is.Zero);
        Assert.That(Shell.Run("iptables", Rule("-I", "ACCEPT")).ExitCode, Is.Zero);
        try
        {
            var direct = rig.Run(null, "--target=Validate", "--exclusive", "--services=backend");
            Assert.That(direct.ExitCode, Is.EqualTo(ExitCodes.Failed), "the server refuses a direct connection: " + direct.StandardOutput + direct.StandardError);

            var environment = rig.Environment();
            environment["DEPLOY_SSH_JUMP"] = $"{JumpUser}@127.0.0.1:{bastion.Port}";
            var connections = rig.Ssh.Connections();
            var deploy = rig.Run(environment, "--target=Deploy", "--services=backend", "--version=0.2.2");
            Assert.That(deploy.ExitCode, Is.Zero, deploy.StandardOutput + deploy.StandardError);
            Assert.That(rig.App.Containers()["backend"].Health, Is.EqualTo("healthy"));
            Assert.That(rig.Ssh.Connections() - connections, Is.EqualTo(1), "one connection to the server, forwarded through the bastion");

            var other = Path.Combine(bastion.Directory, "other_key");
            Shell.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
            var key = File.ReadAllText(other + ".pub").Split(' ');
            File.WriteAllText(rig.Ssh.KnownHosts, File.ReadAllText(rig.Ssh.KnownHosts).Replace(bastion.KnownHostsLine(), $"[127.0.0.1]:{bastion.Port} {key[0]} {key[1]}"));
            var changed = rig.Run(environment, "--target=Validate", "--exclusive", "--services=backend");
            Assert.That(changed.ExitCode, Is.EqualTo(ExitCodes.Failed));
            Assert.That(changed.StandardOutput + changed.StandardError, Does.Contain("HOST KEY CHANGED").And.Contain($"127.0.0.1:{bastion.Port}"));
        }
        finally
        {
            Shell.Run("iptables", Rule("-D", "ACCEPT"));
            Shell.Run("iptables", Rule("-D", "REJECT"));
        }
    }
}
