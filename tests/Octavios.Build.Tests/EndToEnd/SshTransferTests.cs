using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>--transfer=ssh to a real sshd whose commands reach a second, separate Docker engine; bytes counted on the wire.</summary>
[EndToEnd]
[NonParallelizable]
public class SshTransferTests
{
    [Test]
    public void ShipsOnlyWhatTheServerLacks()
    {
        using var engine = SecondDockerEngine.Start();
        using var ssh = TestSshServer.Start(engine.Host);
        using var wire = new CountingProxy(ssh.Port);
        ssh.TrustPort(wire.Port);
        using var app = new ExampleApp("127.0.0.1:1", push: false);
        var project = Directory.CreateTempSubdirectory("octavios-server-").FullName;
        var environment = ssh.Environment(project);
        environment["DEPLOY_SERVER"] = $"root@127.0.0.1:{wire.Port}";

        long Ship(string version)
        {
            var before = wire.Bytes;
            var run = Shell.BuildScript(environment, $"--config={app.ConfigPath}", "--env=prod", "--transfer=ssh",
                "--target=Push", "--services=backend", $"--version={version}");
            Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);
            return wire.Bytes - before;
        }

        var first = Ship("0.2.3");
        var reference = "127.0.0.1:1/octavios/backend:0.2.3";
        Assert.That(engine.Docker("image", "inspect", "--format", "{{.Id}}", reference).StandardOutput.Trim(),
            Is.EqualTo(Shell.Docker("image", "inspect", "--format", "{{.Id}}", reference)), "the server's engine has the very image");
        Assert.That(engine.Docker("image", "ls", "--format", "{{.Repository}}").StandardOutput, Does.Not.Contain("127.0.0.1:2").And.Not.Contain("127.0.0.1:3"),
            "no temporary tag left on the server");

        var second = Ship("0.2.3");

        File.WriteAllText(Path.Combine(app.Directory, "apps", "backend", "www", "version.txt"), "0.2.4\n");
        app.Commit("backend 0.2.4");
        var third = Ship("0.2.4");

        TestContext.Out.WriteLine($"bytes through the SSH connection: first {first}, unchanged {second}, one small new layer {third}");
        Assert.That(second, Is.LessThan(first / 20), "an image the server already has is not sent");
        Assert.That(third, Is.LessThan(first / 4), "only the new layer crosses the wire");
        Assert.That(engine.Docker("image", "inspect", "127.0.0.1:1/octavios/backend:0.2.4").ExitCode, Is.Zero);
        Directory.Delete(project, true);
    }
}
