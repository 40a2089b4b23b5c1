using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// Records that stay true: rollback targets per service, a rollback that needs no registry, a gate that watches past the
/// first healthy answer, a chain that fails before pushing, latest that names what runs, a lock that says what is wrong.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class DeployStateTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, Output(run));

    private static string Running(ProdRig rig, string service = "backend") => rig.App.Containers()[service].Image.Split(':')[^1];

    [Test]
    public void RollbackTargetsArePerServiceAndSurviveARedeployOfTheSameVersion()
    {
        using var rig = new ProdRig(registryAuth: true);
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3"));
        Ok(rig.Run(null, "--target=Deploy", "--services=web", "--version=0.2.3"));
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3"));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.previous.env")), Does.Contain("BACKEND_VERSION=0.2.2\n").And.Contain("WEB_VERSION=0.2.2\n"));

        Ok(rig.Run(null, "--target=Rollback", "--services=backend"));
        Assert.That(Running(rig), Is.EqualTo("0.2.2"));
        Assert.That(Running(rig, "web"), Is.EqualTo("0.2.3"), "web keeps its release");
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.2\n").And.Contain("WEB_VERSION=0.2.3\n"));
    }

    [Test]
    public void ARegistryDownAfterThePullCannotStopTheRollbackAndLatestNamesWhatRuns()
    {
        using var rig = new ProdRig(registryAuth: true);
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3"));
        var repository = "octavios/backend";
        Assert.That(rig.Registry.Digest(repository, "latest"), Is.EqualTo(rig.Registry.Digest(repository, "0.2.3")), "latest moves once 0.2.3 is healthy");

        File.AppendAllText(Path.Combine(rig.App.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"echo crashing; exit 3\"]\n");
        rig.App.Commit("backend 0.2.4 crashes at start");
        rig.Push("0.2.4", "backend");
        Assert.That(rig.Registry.Digest(repository, "latest"), Is.EqualTo(rig.Registry.Digest(repository, "0.2.3")), "Push alone leaves latest where it was");

        var failed = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.4");
        Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failed));
        Assert.That(rig.Registry.Digest(repository, "latest"), Is.EqualTo(rig.Registry.Digest(repository, "0.2.3")), "an unhealthy release never becomes latest");

        using var run = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
            "--services=backend", "--version=0.2.4", "--verbosity=verbose"]);
        Assert.That(run.WaitFor(" --no-start ", TimeSpan.FromSeconds(90)), Is.True, run.Output);
        rig.Registry.Stop();
        Assert.That(run.Exit(TimeSpan.FromSeconds(120)), Is.EqualTo(ExitCodes.Failed), run.Output);
        Assert.That(run.Output, Does.Contain("never took traffic, the previous release kept serving"));
        Assert.That(rig.App.Containers()["backend"].Health, Is.EqualTo("healthy"));
        Assert.That(Running(rig), Is.EqualTo("0.2.3"), "back on 0.2.3 without the registry");
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.3\n"));
    }

    [Test]
    public void AShortSecretStopsTheChainBeforeAnythingIsBuiltOrPushed()
    {
        using var rig = new ProdRig(registryAuth: true);
        rig.WriteServerEnvFile(jwtSecret: "too-short");
        var run = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("env.secret-length"));
        var report = SuiteRun.Report(run.StandardOutput);
        Assert.That(report.Where(r => r.Status == "Succeeded" || r.Status == "Failed").Select(r => r.Task), Does.Not.Contain("Build"), Output(run));
        Assert.That(rig.Registry.Tags("octavios/backend"), Is.Empty, "nothing pushed, latest untouched");
        Assert.That(Output(run), Does.Not.Contain("too-short"));
    }

    [Test]
    public void AReleaseThatCrashesSecondsAfterBecomingHealthyFailsTheGate()
    {
        using var app = new ExampleApp("localhost:5999", push: false);
        app.Configure(ExampleApp.StableSetting, "stableSeconds: 10");
        Ok(Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend", "--version=0.2.2"));
        // busybox httpd without -f serves in the background: healthy at once, then the container exits 6 s later.
        File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"httpd -p 8000 -h /www; sleep 6; exit 1\"]\n");
        app.Commit("backend 0.2.5 crash-loops after a few seconds");
        var run = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend", "--version=0.2.5");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Output(run), Does.Contain("after it was first healthy").And.Contain("never took traffic"));
        var backend = app.Containers()["backend"];
        Assert.That((backend.Image.Split(':')[^1], backend.Health), Is.EqualTo(("0.2.2", "healthy")));
        Assert.That(File.ReadAllText(app.StateFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.2\n"));
    }

    [Test]
    public void AFirstDeployStartsTheNextWaveOnceTheFirstIsHealthyYetFailsWhenTheFirstCrashesInItsWindow()
    {
        using var app = new ExampleApp("localhost:5999", push: false);
        app.Configure(ExampleApp.StableSetting, "stableSeconds: 10");
        File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"httpd -p 8000 -h /www; sleep 6; exit 1\"]\n");
        app.Commit("backend crashes 6 s after it is healthy");
        var run = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend,web", "--version=0.2.2");
        var output = Output(run);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), output);
        // web (which depends on backend) started in backend's window, and backend's crash in it still failed the deploy.
        var crashed = output.IndexOf("backend is not healthy", StringComparison.Ordinal);
        Assert.That(crashed, Is.GreaterThan(-1), output);
        Assert.That(output.IndexOf("web: waiting for it to be healthy", StringComparison.Ordinal), Is.InRange(0, crashed), output);
        Assert.That(output, Does.Contain("after it was first healthy").And.Not.Contain("backend: stable for"));
        var versions = app.StateFile(".octavios/versions.env");
        Assert.That(File.Exists(versions) ? File.ReadAllText(versions) : "", Does.Not.Contain("BACKEND_VERSION").And.Not.Contain("WEB_VERSION"));
    }

    [Test]
    public void UnlockRefusesALiveDeployAndTheLockSaysWhatIsWrong()
    {
        using var rig = new ProdRig(registryAuth: true);
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.2"));
        rig.Push("0.2.3", "backend");
        using (var live = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
                   "--services=backend", "--version=0.2.3", "--verbosity=verbose"]))
        {
            Assert.That(live.WaitFor(" --no-start ", TimeSpan.FromSeconds(90)), Is.True, live.Output);
            var unlock = rig.Run(null, "--target=Unlock");
            Assert.That(unlock.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(unlock));
            Assert.That(unlock.StandardError, Does.Contain("that run is alive").And.Contain("deploy backend 0.2.3"));
            Assert.That(live.Exit(TimeSpan.FromSeconds(120)), Is.Zero, live.Output);
        }

        Assert.That(Running(rig), Is.EqualTo("0.2.3"));
        var environment = rig.Environment();
        environment["DEPLOY_PROJECT_DIR"] = rig.ProjectDirectory + "-missing";
        var missing = rig.Run(environment, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3");
        Assert.That(missing.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(missing));
        Assert.That(missing.StandardError, Does.Contain("does not exist").And.Not.Contain("another deploy"));

        var full = Directory.CreateTempSubdirectory("octavios-full-").FullName;
        try
        {
            Assert.That(Shell.Run("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", full]).ExitCode, Is.Zero);
            Shell.Run("sh", ["-c", "cat /dev/zero > filler 2>/dev/null; true"], null, full);
            environment["DEPLOY_PROJECT_DIR"] = full;
            var disk = rig.Run(environment, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3");
            Assert.That(disk.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(disk));
            Assert.That(disk.StandardError, Does.Contain("could not write the deploy lock").And.Contain("disk full").And.Not.Contain("another deploy"));
            Assert.That(Directory.GetFileSystemEntries(full).Select(Path.GetFileName), Is.EquivalentTo(new[] { "filler", ".octavios" }).Or.EquivalentTo(new[] { "filler" }));
            Assert.That(new FileInfo(Path.Combine(full, ".octavios", "deploy.lock")).LinkTarget, Is.Null, "no lock left");
        }
        finally
        {
            Shell.Run("umount", [full]);
            Directory.Delete(full, true);
        }

        // The server's clock went back ten minutes after a dead run's last heartbeat: its lock is stale, not alive.
        void LockFromTheFuture()
        {
            var owner = Octavios.Deploy.Records.LockOwner.Create("bob", "laptop", "deploy web 0.2.3");
            var held = rig.ServerFile($".octavios/lock.{owner.Token}");
            Directory.CreateDirectory(held);
            File.WriteAllText(Path.Combine(held, "owner.json"), owner.ToJson());
            File.WriteAllText(Path.Combine(held, "heartbeat"), "");
            File.SetLastWriteTimeUtc(Path.Combine(held, "heartbeat"), DateTime.UtcNow.AddMinutes(10));
            File.CreateSymbolicLink(rig.ServerFile(".octavios/deploy.lock"), $"lock.{owner.Token}");
        }

        LockFromTheFuture();
        var freed = rig.Run(null, "--target=Unlock");
        Assert.That(freed.ExitCode, Is.Zero, Output(freed));
        Assert.That(new FileInfo(rig.ServerFile(".octavios/deploy.lock")).LinkTarget, Is.Null, "Unlock frees it without --force");
        LockFromTheFuture();
        var takeover = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.2");
        Assert.That(takeover.ExitCode, Is.Zero, Output(takeover));
        Assert.That(Output(takeover), Does.Contain("in the future: the server's clock went back").And.Contain("taking it over"));
        Assert.That(Running(rig), Is.EqualTo("0.2.2"));
        // A third run finds the server in order: its lock taken and released as any other.
        var third = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3");
        Assert.That(third.ExitCode, Is.Zero, Output(third));
        Assert.That(Running(rig), Is.EqualTo("0.2.3"));
        Assert.That(new FileInfo(rig.ServerFile(".octavios/deploy.lock")).LinkTarget, Is.Null, "released");
    }
}
