using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>./build.sh --target=Validate against the example app, a real registry and a real sshd on loopback.</summary>
[EndToEnd]
[NonParallelizable]
public class ValidateTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    [TestCase(false)]
    [TestCase(true)]
    public void AllGreenWhenEverythingExists(bool registryAuth)
    {
        using var rig = new ProdRig(registryAuth);
        rig.Push("0.2.2", "all");
        var run = rig.Run(null, "--target=Validate", "--services=all");
        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(run.StandardOutput, Does.Contain("Validate (prod): passed"));
        Assert.That(run.StandardOutput, Does.Contain("ssh.connect").And.Contain("server.disk").And.Contain("web: "));
    }

    [Test]
    public void FailsNamingTheImageThatWasNeverPushed()
    {
        using var rig = new ProdRig(registryAuth: true);
        rig.Push("0.2.2", "backend", "file-manager", "bank-advisor", "aletheia");
        var run = rig.Run(null, "--target=Validate", "--services=all");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("web:0.2.2 was never pushed"));
        Assert.That(Output(run), Does.Not.Contain("backend:0.2.2 was never pushed"));
    }

    [Test]
    public void FailsWhenAJwtSecretIsTwelveCharacters()
    {
        using var rig = new ProdRig();
        rig.Push("0.2.2", "all");
        rig.WriteServerEnvFile(jwtSecret: "short-secret");
        var run = rig.Run(null, "--target=Validate", "--services=all");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("JWT_SECRET_KEY is 12 characters"));
        Assert.That(Output(run), Does.Not.Contain("short-secret"));
    }

    [Test]
    public void ADirtyWorkTreeIsAWarningOnly()
    {
        using var rig = new ProdRig();
        rig.Push("0.2.2", "all");
        File.WriteAllText(Path.Combine(rig.App.Directory, "apps", "backend", "www", "draft.txt"), "uncommitted");
        var run = rig.Run(null, "--target=Validate", "--services=all");
        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(run.StandardOutput, Does.Contain("WARNING   git.dirty").And.Contain("draft.txt"));
    }

    [Test]
    public void FailsWithinItsConnectTimeoutWhenTheSshPortAnswersNothing()
    {
        using var rig = new ProdRig();
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () => { while (true) accepted.Add(await silent.AcceptSocketAsync()); });
        var environment = rig.Environment();
        environment["DEPLOY_SERVER"] = $"root@127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        try
        {
            Shell.BuildScript(null, "--info"); // the suite is built before the clock starts
            var clock = Stopwatch.StartNew();
            var run = rig.Run(environment, "--target=Validate", "--services=backend", "--exclusive");
            clock.Stop();
            TestContext.Out.WriteLine($"./build.sh --target=Validate against a silent SSH port: {clock.Elapsed.TotalSeconds:0.00} s");
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
            Assert.That(Output(run), Does.Contain("no SSH answer within 4.5s"));
            // The 4.5 s connect bound is what the message names; the wall clock only rules out a hang on the system's own
            // TCP/SSH timeouts (minutes), with room for a loaded CI machine (7.3 s seen while other tests ran).
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), $"took {clock.Elapsed}");
        }
        finally
        {
            silent.Stop();
            accepted.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public void FailsOnAnUnknownHostKey()
    {
        using var rig = new ProdRig();
        File.WriteAllText(rig.Ssh.KnownHosts, "");
        var run = rig.Run(null, "--target=Validate", "--services=backend", "--exclusive");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("unknown host key").And.Contain("--trust-new-host"));
    }

    [Test]
    public void TrustNewHostRecordsAnUnknownKeyOnlyWhenAsked()
    {
        using var rig = new ProdRig();
        File.WriteAllText(rig.Ssh.KnownHosts, "");
        var run = rig.Run(null, "--target=Validate", "--services=backend", "--exclusive", "--trust-new-host");
        Assert.That(Output(run), Does.Contain("trusted a new host key").And.Contain("ssh.connect"));
        Assert.That(Output(run), Does.Not.Contain("unknown host key"));
        Assert.That(File.ReadAllText(rig.Ssh.KnownHosts), Does.StartWith($"[127.0.0.1]:{rig.Ssh.Port} ssh-ed25519 "));
        var again = rig.Run(null, "--target=Validate", "--services=backend", "--exclusive");
        Assert.That(Output(again), Does.Not.Contain("unknown host key").And.Not.Contain("trusted a new host key"));
    }

    [Test]
    public void TrustNewHostNeverTrustsAHostKnownByAnotherKeyTypeOrARevokedKey()
    {
        using var rig = new ProdRig();
        var ecdsa = Path.Combine(rig.Ssh.Directory, "ecdsa_key");
        Shell.Run("ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-f", ecdsa]);
        var other = File.ReadAllText(ecdsa + ".pub").Split(' ');
        var known = File.ReadAllText(rig.Ssh.KnownHosts).Trim().Split(' ');
        File.WriteAllText(rig.Ssh.KnownHosts, $"[127.0.0.1]:{rig.Ssh.Port} {other[0]} {other[1]}\n");
        var run = rig.Run(null, "--target=Validate", "--services=backend", "--exclusive", "--trust-new-host");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("keys of other types").And.Not.Contain("trusted a new host key"));
        Assert.That(File.ReadAllText(rig.Ssh.KnownHosts), Does.Not.Contain("ssh-ed25519"), "nothing recorded");

        File.WriteAllText(rig.Ssh.KnownHosts, $"@revoked * {known[1]} {known[2]}\n");
        var revoked = rig.Run(null, "--target=Validate", "--services=backend", "--exclusive", "--trust-new-host");
        Assert.That(revoked.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(revoked));
        Assert.That(Output(revoked), Does.Contain("@revoked").And.Not.Contain("trusted a new host key"));
    }

    [Test]
    public void FailsOnAChangedHostKey()
    {
        using var rig = new ProdRig();
        var other = Path.Combine(rig.Ssh.Directory, "other_key");
        Shell.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
        var key = File.ReadAllText(other + ".pub").Split(' ');
        File.WriteAllText(rig.Ssh.KnownHosts, $"[127.0.0.1]:{rig.Ssh.Port} {key[0]} {key[1]}\n");
        var run = rig.Run(null, "--target=Validate", "--services=backend", "--exclusive");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("HOST KEY CHANGED"));
    }

    [Test]
    public void ValidateAloneChangesNothingAndWritesItsReports()
    {
        using var rig = new ProdRig();
        rig.Push("0.2.2", "all");
        string Snapshot() => string.Join('\n', Directory.GetFiles(rig.ProjectDirectory, "*", SearchOption.AllDirectories)
            .Order().Select(f => $"{f} {File.GetLastWriteTimeUtc(f):O} {new FileInfo(f).Length}"));
        string Images() => string.Join('\n', Shell.Docker("images", "--all", "--quiet", "--no-trunc").Split('\n').Order());
        string Containers() => string.Join('\n', Shell.Docker("ps", "--all", "--quiet", "--no-trunc").Split('\n').Order());
        var (files, images, containers, tags) = (Snapshot(), Images(), Containers(), rig.Registry.Tags("octavios/web"));
        var report = Path.Combine(rig.App.Directory, "..", $"validate-{Guid.NewGuid():N}.json");
        var summary = Path.Combine(rig.App.Directory, "..", $"summary-{Guid.NewGuid():N}.md");
        var environment = rig.Environment();
        environment["GITHUB_STEP_SUMMARY"] = summary;

        var run = rig.Run(environment, "--target=Validate", "--services=all", $"--report={report}");

        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(Snapshot(), Is.EqualTo(files), "nothing on the server changed");
        Assert.That(Images(), Is.EqualTo(images), "nothing was built");
        Assert.That(Containers(), Is.EqualTo(containers), "no container was touched");
        Assert.That(rig.Registry.Tags("octavios/web"), Is.EqualTo(tags), "nothing was pushed");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        Assert.That(json.RootElement.GetProperty("passed").GetBoolean(), Is.True);
        Assert.That(json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("check").GetString()),
            Does.Contain("registry.image").And.Contain("ssh.connect").And.Contain("compose.cli"));
        Assert.That(File.ReadAllText(summary), Does.StartWith("### Validate (prod): passed"));
        File.Delete(report);
        File.Delete(summary);
    }

    [Test]
    public void EnvListsTheServersVariablesByLengthAndHashOnly()
    {
        using var rig = new ProdRig();
        var report = Path.Combine(rig.Ssh.Directory, "env.json");
        var run = rig.Run(null, "--target=Env", $"--report={report}");
        Assert.That(run.ExitCode, Is.Zero, Output(run));
        var jwtHash = Octavios.Deploy.EnvFiles.LoadedEnvFile.ShortHash(ProdRig.JwtSecretKey);
        Assert.That(run.StandardOutput, Does.Match($@"JWT_SECRET_KEY\s+{ProdRig.JwtSecretKey.Length}\s+{jwtHash}"));
        Assert.That(run.StandardOutput, Does.Match($@"DATABASE_PASSWORD\s+{ProdRig.DatabasePassword.Length}\s"));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var jwt = json.RootElement.GetProperty("variables").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "JWT_SECRET_KEY");
        Assert.That(jwt.GetProperty("sha256").GetString(), Is.EqualTo(jwtHash));
        Assert.That(Output(run) + File.ReadAllText(report), Does.Not.Contain(ProdRig.JwtSecretKey).And.Not.Contain(ProdRig.DatabasePassword));
    }

    [Test]
    public void EnvStopsOnASyntaxErrorNamingFileAndLine()
    {
        using var rig = new ProdRig();
        File.AppendAllText(rig.ServerEnvFile, "BROKEN=\"never closed\n");
        var lines = File.ReadAllLines(rig.ServerEnvFile).Length;
        var run = rig.Run(null, "--target=Env");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(run.StandardError, Does.Contain($"envs/.env.prod:{lines}:8: BROKEN: a quoted value that never ends"));
    }
}
