using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>SSH the way operators have it: a key held only by ssh-agent, a passphrase-protected key, a ~/.ssh/config alias.</summary>
[Category("EndToEnd")]
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
