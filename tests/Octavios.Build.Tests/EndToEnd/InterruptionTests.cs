using Octavios.Deploy.Commands;
using Octavios.Deploy.Records;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// SIGINT and SIGTERM during the pull, during up and during the health wait, and an sshd child killed during the health
/// wait, on a real sshd, engine and registry: after the run, or after the next run's reconciliation, backend runs one
/// version, healthy, the one the records name; the lock is released; no journal is left.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class InterruptionTests
{
    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);

    private static void AssertInvariant(ProdRig rig, string version, string context)
    {
        var backend = rig.App.Containers()["backend"];
        Assert.That((backend.Image.Split(':')[^1], backend.Health), Is.EqualTo((version, "healthy")), context);
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain($"BACKEND_VERSION={version}\n"), context);
        Assert.That(File.Exists(rig.ServerFile(".octavios/journal.env")), Is.False, context + ": no journal left");
        Assert.That(new FileInfo(rig.ServerFile(".octavios/deploy.lock")).LinkTarget, Is.Null, context + ": the lock is released");
        Assert.That(Directory.GetFiles(rig.ServerFile(".octavios"), "*.tmp.*"), Is.Empty, context);
    }

    [Test]
    public void SignalsAndALostConnectionLeaveOneHealthyRecordedVersion()
    {
        using var rig = new ProdRig(registryAuth: true);
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        rig.Push("0.2.3", "backend");

        // The moment each phase starts shows in the verbose log: the command is printed before it runs.
        foreach (var (signal, phase, marker) in new[]
                 {
                     ("INT", "pull", "docker pull --quiet"),
                     ("TERM", "up", " --no-start "),
                     ("INT", "health wait", "{{.RestartCount}}"),
                     ("TERM", "health wait", "{{.RestartCount}}"),
                 })
        {
            using var run = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
                "--services=backend", "--version=0.2.3", "--verbosity=verbose"]);
            Assert.That(run.WaitFor(marker, TimeSpan.FromSeconds(90)), Is.True, $"{phase} never started:\n{run.Output}");
            run.Signal(signal);
            var exit = run.Exit(TimeSpan.FromSeconds(120));
            var context = $"SIG{signal} during {phase}:\n{run.Output}";
            Assert.That(exit, Is.EqualTo(ExitCodes.Interrupted), context);
            Assert.That(run.Output, Does.Contain("Interrupted"), context);
            AssertInvariant(rig, "0.2.2", context);
            if (phase != "pull")
                Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log"))[^1], Does.Contain("interrupted").And.Contain("rolled back"), context);
        }

        // Issue 22's fourth scenario, a lost client: the server's supervisor of the lock puts the change back by itself.
        using (var cut = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
                   "--services=backend", "--version=0.2.3", "--verbosity=verbose"]))
        {
            Assert.That(cut.WaitFor("{{.RestartCount}}", TimeSpan.FromSeconds(90)), Is.True, cut.Output);
            rig.Ssh.KillConnections();
            var lost = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(cut.Exit(TimeSpan.FromSeconds(60)), Is.EqualTo(ExitCodes.Failed), cut.Output);
            Assert.That(cut.Output, Does.Contain("SSH connection was lost").And.Contain("The server puts back BACKEND_VERSION=0.2.2 by itself within 10s"));
            // Within deploy.lostClientSeconds + 5 s of the sshd child's death: no lock, no journal.
            while (lost.Elapsed < TimeSpan.FromSeconds(15) && (File.Exists(rig.ServerFile(".octavios/journal.env")) || CrashSweep.LockHeld(rig.ServerFile("."))))
                Thread.Sleep(200);
            AssertInvariant(rig, "0.2.2", $"{lost.Elapsed.TotalSeconds:0.0}s after the client was lost:\n{cut.Output}\n" +
                                          (File.Exists(rig.ServerFile(".octavios/lost-client.log")) ? File.ReadAllText(rig.ServerFile(".octavios/lost-client.log")) : "(no lost-client.log)"));
            Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log"))[^1],
                Does.Contain("put back by the server after its client was lost").And.Contain("\"who\":\"the server, for ").And.Not.Contain(FileChange.ServerTime));
            Assert.That(File.Exists(rig.ServerFile(LockCommands.RepairScript)), Is.False);
        }

        // An immediate retry finds the server repaired.
        var next = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3");
        Ok(next);
        AssertInvariant(rig, "0.2.3", next.StandardOutput);
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.previous.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
        Ok(rig.Run(null, "--target=Rollback", "--exclusive", "--services=backend"));
        AssertInvariant(rig, "0.2.2", "after a third run");
    }

    /// <summary>
    /// Issue 22's first scenario: a deploy frozen right after its new container serves (a closed laptop lid, SIGSTOP)
    /// while a colleague's deploy takes its stale lock over, puts backend back and deploys web. Resumed, the frozen run
    /// can change nothing (every step is fenced by its lock token on the server): it exits 1 saying so.
    /// </summary>
    [Test]
    public void AFrozenRunResumedAfterATakeoverChangesNothing()
    {
        using var rig = new ProdRig();
        rig.App.Configure(ExampleApp.StableSetting, ExampleApp.StableSetting + "\n  lockStaleSeconds: 3\n  drainSeconds: 4\n  lostClientSeconds: 300");
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        rig.Push("0.2.3", "backend", "web");

        using var frozen = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
            "--services=backend", "--version=0.2.3"]);
        Assert.That(frozen.WaitFor("backend: the new container serves", TimeSpan.FromSeconds(120)), Is.True, frozen.Output);
        frozen.Signal("STOP");
        try
        {
            Thread.Sleep(TimeSpan.FromSeconds(5));
            var colleague = rig.Run(null, "--target=Deploy", "--exclusive", "--services=web", "--version=0.2.3", "--lock-wait=30");
            Ok(colleague);
            Assert.That(colleague.StandardOutput + colleague.StandardError, Does.Contain("was abandoned").And.Contain("an unfinished deploy of backend"));
        }
        finally
        {
            frozen.Signal("CONT");
        }

        var before = (Containers: rig.App.Containers().ToDictionary(c => c.Key, c => c.Value.Id), Versions: File.ReadAllText(rig.ServerFile(".octavios/versions.env")),
            Audit: File.ReadAllText(rig.ServerFile(".octavios/audit.log")));
        Assert.That(before.Versions, Does.Contain("BACKEND_VERSION=0.2.2\n").And.Contain("WEB_VERSION=0.2.3\n"));

        Assert.That(frozen.Exit(TimeSpan.FromSeconds(60)), Is.EqualTo(ExitCodes.Failed), frozen.Output);
        Assert.That(frozen.Output, Does.Contain("the deploy lock is no longer this run's").And.Contain("was not run"));
        Assert.That(rig.App.Containers().ToDictionary(c => c.Key, c => c.Value.Id), Is.EqualTo(before.Containers), "no container touched by the resumed run");
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Is.EqualTo(before.Versions));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/audit.log")), Is.EqualTo(before.Audit));
        AssertInvariant(rig, "0.2.2", frozen.Output);

        // The next run and the one after find a server in order.
        Ok(rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3"));
        AssertInvariant(rig, "0.2.3", "after the next run");
        Ok(rig.Run(null, "--target=Rollback", "--exclusive", "--services=backend"));
        AssertInvariant(rig, "0.2.2", "after a third run");
    }

    /// <summary>
    /// Issue 22's second scenario: a redeploy of the version that runs, killed 0.5 s into its health wait, leaves its
    /// candidate container beside the old one. Its journal cannot be told committed by the versions (they did not
    /// change): the next run converges backend on the container the journal kept, and audits that.
    /// </summary>
    [Test]
    public void ARedeployKilledInItsGateLeavesOneContainerAfterTheNextRun()
    {
        using var rig = new ProdRig();
        rig.App.Configure(ExampleApp.StableSetting, ExampleApp.StableSetting + "\n  lockStaleSeconds: 3");
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        var kept = rig.App.Containers()["backend"].Id;

        using (var killed = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
                   "--services=backend", "--version=0.2.2", "--verbosity=verbose"]))
        {
            Assert.That(killed.WaitFor("{{.RestartCount}}", TimeSpan.FromSeconds(90)), Is.True, killed.Output);
            Thread.Sleep(500);
            // The server's supervisor dies with it (else it puts the change back at once, as a lost client's): the next run repairs.
            Shell.Run("pkill", ["-KILL", "-f", "client.gone"]);
            killed.Signal("KILL");
            killed.Exit(TimeSpan.FromSeconds(30));
        }

        Assert.That(ContainersOf(rig, "backend"), Has.Count.EqualTo(2), "the killed run's candidate runs beside the old container");
        var next = rig.Run(null, "--target=Deploy", "--exclusive", "--services=web", "--version=0.2.2", "--lock-wait=30");
        Ok(next);
        Assert.That(next.StandardOutput + next.StandardError, Does.Contain("an unfinished deploy of backend"));
        Assert.That(ContainersOf(rig, "backend"), Is.EqualTo(new[] { kept }), "the container the journal kept, alone");
        AssertInvariant(rig, "0.2.2", next.StandardOutput);
        Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log")).Count(l => l.Contains("\"action\":\"reconcile\"")), Is.EqualTo(1), "the repair is audited");

        Ok(rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.2"));
        Assert.That(ContainersOf(rig, "backend"), Has.Count.EqualTo(1), "a later redeploy keeps one container");
        AssertInvariant(rig, "0.2.2", "after a third run");
    }

    /// <summary>
    /// Issue 22's fifth scenario: a deploy of bank-advisor killed in its gate (its supervisor with it) while the container
    /// it kept dies too; then the team removes bank-advisor from the configuration and the compose files. The next run's
    /// repair is killed half-way, while it creates the recorded version anew; the run after puts bank-advisor back all the
    /// same, from the copies of the files the change used that its journal kept on the server.
    /// </summary>
    [Test]
    public void AServiceRemovedAfterAKilledDeployIsPutBackEvenWhenTheRepairIsKilledHalfWay()
    {
        using var rig = new ProdRig();
        rig.App.Configure(ExampleApp.StableSetting, ExampleApp.StableSetting + "\n  lockStaleSeconds: 3");
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        rig.Push("0.2.3", "bank-advisor");
        var kept = ContainersOf(rig, "bank-advisor").Single();

        using (var killed = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
                   "--services=bank-advisor", "--version=0.2.3", "--verbosity=verbose"]))
        {
            Assert.That(killed.WaitFor("{{.RestartCount}}", TimeSpan.FromSeconds(90)), Is.True, killed.Output);
            Shell.Run("pkill", ["-KILL", "-f", "client.gone"]);
            killed.Signal("KILL");
            killed.Exit(TimeSpan.FromSeconds(30));
        }

        Assert.That(ContainersOf(rig, "bank-advisor"), Has.Count.EqualTo(2), "the killed run's candidate runs beside the old container");
        Shell.Docker("kill", kept);
        foreach (var file in new[] { rig.App.ConfigPath }.Concat(new[] { "docker-compose.yml", "docker-compose.production.yml", "docker-compose.registry.yml" }
                     .Select(f => Path.Combine(rig.App.Directory, "infra", f))))
            RemoveService(file, "bank-advisor");

        using (var repairing = new RunningSuite(rig.Environment(), [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Deploy", "--exclusive",
                   "--services=web", "--version=0.2.2", "--lock-wait=30"]))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(90) && Shell.Run("pgrep", ["-f", DeployJournal.Copies + "/compose.1.yml"]).ExitCode != 0) Thread.Sleep(20);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(90)), "the repair never created bank-advisor anew:\n" + repairing.Output);
            repairing.Signal("KILL");
            repairing.Exit(TimeSpan.FromSeconds(30));
        }

        // The killed run's own supervisor releases its lock; the first run's journal stays for the next run.
        var released = System.Diagnostics.Stopwatch.StartNew();
        while (released.Elapsed < TimeSpan.FromSeconds(30) && CrashSweep.LockHeld(rig.ServerFile("."))) Thread.Sleep(200);
        Assert.That(File.ReadAllText(rig.ServerFile(DeployJournal.File)), Does.Contain("services=bank-advisor"));

        var next = rig.Run(null, "--target=Deploy", "--exclusive", "--services=web", "--version=0.2.2", "--lock-wait=30");
        Ok(next);
        Assert.That(next.StandardOutput + next.StandardError, Does.Contain("an unfinished deploy of bank-advisor"));
        var repaired = ContainersOf(rig, "bank-advisor");
        Assert.That(repaired, Has.Count.EqualTo(1), "one bank-advisor container");
        Assert.That(Shell.Docker("inspect", "--format", "{{.Config.Image}} {{.State.Health.Status}}", repaired[0]).Trim(), Does.EndWith("bank-advisor:0.2.2 healthy"));
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BANK_ADVISOR_VERSION=0.2.2\n"));
        Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log")).Count(l => l.Contains("\"action\":\"reconcile\"") && l.Contains("bank-advisor")), Is.EqualTo(1),
            "the repair is audited");
        Assert.That(Directory.Exists(rig.ServerFile(DeployJournal.Copies)), Is.False, "the journal's copies go with it");
        AssertInvariant(rig, "0.2.2", next.StandardOutput);

        Ok(rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.2"));
        Assert.That(ContainersOf(rig, "bank-advisor"), Is.EqualTo(repaired), "a third run leaves it as it is");
        AssertInvariant(rig, "0.2.2", "after a third run");
    }

    /// <summary>Removes a service from a YAML file's services (the configuration's or a compose file's).</summary>
    private static void RemoveService(string file, string service)
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        using (var reader = new StreamReader(file)) yaml.Load(reader);
        var services = (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        Assert.That(services.Children.Remove(new YamlDotNet.RepresentationModel.YamlScalarNode(service)), Is.True, file);
        using var writer = new StreamWriter(file);
        yaml.Save(writer, assignAnchors: false);
    }

    private static List<string> ContainersOf(ProdRig rig, string service) =>
        Shell.Docker("ps", "--quiet", "--no-trunc", "--filter", $"label=com.docker.compose.project={rig.App.Project}", "--filter", $"label=com.docker.compose.service={service}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
