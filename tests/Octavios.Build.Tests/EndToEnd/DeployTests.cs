using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>Deploy, Verify and Rollback through ./build.sh against a real sshd, Docker engine and registry on loopback.</summary>
[EndToEnd]
[NonParallelizable]
public class DeployTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, Output(run));

    /// <summary>Every service running 0.2.2 on the server, deployed by the suite itself.</summary>
    private static ProdRig RigWithAllOn022()
    {
        var rig = new ProdRig(registryAuth: true);
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        return rig;
    }

    [Test]
    public void DeployChangesOnlyTheBackendAndAFailingReleaseRollsBackByItself()
    {
        using var rig = RigWithAllOn022();
        var before = rig.App.Containers();
        Assert.That(before.Keys, Is.EquivalentTo(new[] { "backend", "web", "file-manager", "bank-advisor", "aletheia", "proxy" }));
        Assert.That(before.Values.Select(c => c.Health), Is.All.EqualTo("healthy"));

        var connections = rig.Ssh.Connections();
        Ok(rig.Run(null, "--target=Verify", "--services=backend", "--version=0.2.3"));
        Assert.That(rig.Ssh.Connections() - connections, Is.EqualTo(1), "one SSH connection for the whole run, detect through verify");

        var after = rig.App.Containers();
        Assert.That(after["backend"].Image, Is.EqualTo($"{rig.Registry.Address}/octavios/backend:0.2.3"));
        Assert.That(after["backend"].Health, Is.EqualTo("healthy"));
        foreach (var other in new[] { "web", "file-manager", "bank-advisor", "aletheia", "proxy" })
            Assert.That(after[other].Id, Is.EqualTo(before[other].Id), $"{other} untouched");
        var versions = File.ReadAllText(rig.ServerFile(".octavios/versions.env"));
        Assert.That(versions, Does.Contain("BACKEND_VERSION=0.2.3").And.Contain("WEB_VERSION=0.2.2"));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.previous.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
        var audit = File.ReadAllLines(rig.ServerFile(".octavios/audit.log"));
        Assert.That(audit, Has.Length.EqualTo(2));
        Assert.That(audit[^1], Does.Contain("\"from\":{\"BACKEND_VERSION\":\"0.2.2\"}").And.Contain("\"to\":{\"BACKEND_VERSION\":\"0.2.3\"}").And.Contain("\"result\":\"succeeded\""));
        Assert.That(Directory.Exists(rig.ServerFile(".octavios/deploy.lock")), Is.False, "the lock is released");

        File.Delete(Path.Combine(rig.App.Directory, "apps", "backend", "www", "api", "health"));
        rig.App.Commit("backend 0.2.4: health endpoint lost");
        var failing = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.4");
        Assert.That(failing.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failing));
        Assert.That(failing.StandardError, Does.Contain("never took traffic, the previous release kept serving"));
        Assert.That(Output(failing), Does.Contain("log lines of backend"));
        var rolledBack = rig.App.Containers()["backend"];
        Assert.That(rolledBack.Image, Is.EqualTo($"{rig.Registry.Address}/octavios/backend:0.2.3"));
        Assert.That(rolledBack.Health, Is.EqualTo("healthy"));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.3"));
        Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log"))[^1], Does.Contain("\"to\":{\"BACKEND_VERSION\":\"0.2.4\"}").And.Contain("failed").And.Contain("never took traffic"));

        Ok(rig.Run(null, "--target=Rollback", "--services=backend"));
        Assert.That(rig.App.Containers()["backend"].Image, Is.EqualTo($"{rig.Registry.Address}/octavios/backend:0.2.2"), "Rollback returns to the recorded previous version");
    }

    [Test]
    public void TwoDeploysStartedTogetherRunOneAtATime()
    {
        using var rig = RigWithAllOn022();
        rig.Push("0.2.3", "backend");
        var runs = Enumerable.Range(0, 2)
            .Select(_ => Task.Run(() => rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive")))
            .ToArray();
        Task.WaitAll(runs);
        var results = runs.Select(r => r.Result).ToList();
        Assert.That(results.Count(r => r.ExitCode == 0), Is.EqualTo(1), string.Join("\n-----\n", results.Select(Output)));
        var stopped = results.Single(r => r.ExitCode != 0);
        Assert.That(stopped.StandardError, Does.Contain("another deploy holds the lock").And.Contain("deploy backend 0.2.3"));
        Assert.That(rig.App.Containers()["backend"].Health, Is.EqualTo("healthy"));
    }

    [Test]
    public void HostileInputIsRefusedOrQuoted()
    {
        using var rig = new ProdRig();
        File.Delete("/tmp/octavios-pwned");
        var service = rig.Run(null, "--target=Deploy", "--services=backend;touch /tmp/octavios-pwned", "--version=0.2.2");
        var version = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.2$(touch /tmp/octavios-pwned)");
        Assert.That((service.ExitCode, version.ExitCode), Is.EqualTo((ExitCodes.BadInput, ExitCodes.BadInput)));

        rig.RenameProjectDirectory("my \"odd\" project's dir $(touch \\tmp\\octavios-pwned)");
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.2"));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
        Assert.That(File.Exists("/tmp/octavios-pwned"), Is.False, "nothing unintended ran");
        Assert.That(rig.App.Containers()["backend"].Health, Is.EqualTo("healthy"));
    }

    [Test]
    public void ADroppedConnectionEndsTheRunClearlyAndLeavesAHealthyServer()
    {
        using var rig = RigWithAllOn022();
        rig.Push("0.2.3", "backend");
        using var wire = new CountingProxy(rig.Ssh.Port);
        rig.Ssh.TrustPort(wire.Port);
        var environment = rig.Environment();
        environment["DEPLOY_SERVER"] = $"root@127.0.0.1:{wire.Port}";
        var run = Task.Run(() => rig.Run(environment, "--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive"));
        // The lock is taken and the server's supervisor of it runs (it notes when it last heard the client).
        var supervised = rig.ServerFile(".octavios/deploy.lock/client");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(supervised) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(50);
        Assert.That(File.Exists(supervised), Is.True, "the deploy reached the server");
        Thread.Sleep(500);
        wire.Cut();
        var result = run.Result;

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(result));
        Assert.That(result.StandardError, Does.Contain("SSH connection was lost"));
        Assert.That(Output(result), Does.Contain("The server's supervisor releases it once it no longer hears this run").Or.Contain("The server puts back"),
            "the lock left behind is reported with what will release it");

        // The server heard the connection end: its supervisor released the lock (putting back any journaled change) by itself.
        clock.Restart();
        while (CrashSweep.LockHeld(rig.ServerFile(".")) && clock.Elapsed < TimeSpan.FromSeconds(15)) Thread.Sleep(200);
        Assert.That(CrashSweep.LockHeld(rig.ServerFile(".")), Is.False, "released by the server within deploy.lostClientSeconds + 5 s");
        Assert.That(File.Exists(rig.ServerFile(".octavios/journal.env")), Is.False);

        var next = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive");
        Ok(next);
        Assert.That(next.StandardOutput + next.StandardError, Does.Not.Contain("was abandoned"), "nothing was left to take over");
        var backend = rig.App.Containers()["backend"];
        Assert.That((backend.Image, backend.Health), Is.EqualTo(($"{rig.Registry.Address}/octavios/backend:0.2.3", "healthy")));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.3"));
        Assert.That(File.Exists(rig.ServerFile(".octavios/journal.env")), Is.False);
        Assert.That(File.Exists(rig.ServerFile(".octavios/deploy.lock")) || Directory.Exists(rig.ServerFile(".octavios/deploy.lock")), Is.False);
    }

    [Test]
    public void AValueBakedIntoTheImageFailsVerifyNamingTheVariableOnly()
    {
        using var rig = new ProdRig();
        const string baked = "baked-into-the-image-at-build-time-0123456789";
        File.AppendAllText(Path.Combine(rig.App.Directory, "apps", "backend", "Dockerfile"), $"ENV SECRET_KEY={baked}\n");
        var compose = Path.Combine(rig.App.Directory, "infra", "docker-compose.yml");
        File.WriteAllLines(compose, File.ReadAllLines(compose).Where(l => !l.Contains("SECRET_KEY: ${SECRET_KEY", StringComparison.Ordinal)));
        rig.App.Commit("backend reads SECRET_KEY from its image");
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.5"));

        var verify = rig.Run(null, "--target=Verify", "--exclusive", "--services=backend", "--verbosity=verbose");
        Assert.That(verify.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(verify));
        Assert.That(verify.StandardError, Does.Contain("backend: SECRET_KEY inside the running container differs"));
        Assert.That(verify.StandardError, Does.Not.Contain("JWT_SECRET_KEY inside"), "JWT_SECRET_KEY still comes from the env file");
        Assert.That(Output(verify), Does.Not.Contain(baked).And.Not.Contain(ProdRig.SecretKey));
    }
}
