using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// The example's swarm environment on a Swarm of three lab hosts (h1 the manager): backend with 3 replicas behind the
/// proxy service, updated by Swarm's rolling update under a load probe through the proxy's port on h1.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class SwarmTests
{
    private TestRegistry _registry = null!;
    private ExampleApp _app = null!;
    private FleetLab _lab = null!;

    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private Dictionary<string, string> Environment()
    {
        var environment = _lab.Environment();
        environment["SWARM_MANAGER"] = $"root@{_lab.Hosts[0].Address}";
        return environment;
    }

    private Octavios.Deploy.Execution.CommandResult Run(string env, params string[] args) =>
        Shell.BuildScript(Environment(), [$"--config={_app.ConfigPath}", $"--env={env}", .. args]);

    private void Ok(string env, params string[] args)
    {
        var run = Run(env, args);
        Assert.That(run.ExitCode, Is.Zero, Output(run));
    }

    private string BackendUrl => $"http://{_lab.Hosts[0].Address}:{_app.PortBase + 1}/api/health";

    /// <summary>Each backend task's image, from the manager: what Swarm runs.</summary>
    private IReadOnlyList<string> RunningBackendImages() =>
        _lab.Hosts[0].Docker("service", "ps", "--filter", "desired-state=running", "--format", "{{.Image}}|{{.CurrentState}}", $"{_app.Project}_backend")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("|Running")).Select(l => l.Split('|')[0]).ToList();

    [OneTimeSetUp]
    public void StartSwarmWithAllOn022()
    {
        _registry = TestRegistry.Start(reachableFromLab: true);
        _app = new ExampleApp(_registry.Address, push: false);
        _lab = FleetLab.Start(3, int.Parse(_registry.Address.Split(':')[1]));
        _lab.FormSwarm();
        ProdRig.PrepareServer(_app, _lab.Hosts[0].ProjectDirectory);
        Ok("prod", "--target=Push", "--services=all", "--version=0.2.2");
        Ok("prod", "--target=Push", "--services=backend", "--version=0.2.3");
        Ok("swarm", "--target=Deploy", "--services=all", "--version=0.2.2", "--exclusive");
        File.AppendAllText(Path.Combine(_app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/\"]\n");
        _app.Commit("backend 0.2.4 serves no /api/health: its health check fails");
        Ok("prod", "--target=Push", "--services=backend", "--version=0.2.4");
    }

    [OneTimeTearDown]
    public void StopSwarm()
    {
        _lab?.Dispose();
        _app?.Dispose();
        _registry?.Dispose();
    }

    [Test, Order(1)]
    public void ARollingUpdateUnderLoadDropsNoRequest()
    {
        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.2"));
        Octavios.Deploy.Execution.CommandResult run;
        using (var probe = new LoadProbe(BackendUrl, perSecond: 10))
        {
            run = Run("swarm", "--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive");
            Thread.Sleep(1000);
            probe.Stop();
            Assert.That(run.ExitCode, Is.Zero, Output(run));
            Assert.That(probe.Sent, Is.GreaterThan(50), probe.ToString());
            Assert.That(probe.Failures, Is.Empty, probe.ToString());
        }

        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.3"));
        var verify = Run("swarm", "--target=Verify", "--services=backend", "--exclusive");
        Assert.That(verify.ExitCode, Is.Zero, Output(verify));
        Assert.That(verify.StandardOutput, Does.Contain("does not call health URLs"));
        var validate = Run("swarm", "--target=Validate", "--services=backend", "--version=0.2.3", "--exclusive");
        Assert.That(validate.ExitCode, Is.Zero, Output(validate));
        Assert.That(validate.StandardOutput, Does.Contain("manages a Swarm of 3 node(s)"));
        var versions = File.ReadAllText(Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios", "versions.env"));
        Assert.That(versions, Does.Contain("BACKEND_VERSION=0.2.3"));
        Assert.That(File.ReadAllText(Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios", "swarm-defaults.yml")), Does.Contain("order: start-first"));
        Assert.That(Output(run), Does.Not.Contain(ProdRig.SecretKey).And.Not.Contain(ProdRig.JwtSecretKey));
    }

    [Test, Order(2)]
    public void AReleaseWithAFailingHealthCheckIsRolledBackBySwarmAndTheRunFailsNamingTheTasks()
    {
        Octavios.Deploy.Execution.CommandResult run;
        using (var probe = new LoadProbe(BackendUrl, perSecond: 10))
        {
            run = Run("swarm", "--target=Deploy", "--services=backend", "--version=0.2.4", "--exclusive");
            Thread.Sleep(1000);
            probe.Stop();
            Assert.That(probe.Failures, Is.Empty, probe.ToString());
        }

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(run.StandardError, Does.Contain("Swarm rolled the update back (rollback_completed").And.Contain("failing tasks: ").And.Contain("backend.").And.Contain("0.2.4"));
        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.3"));
        var audit = File.ReadAllLines(Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios", "audit.log"));
        Assert.That(audit[^1], Does.Contain("failed").And.Contain("0.2.4"));
        Assert.That(File.ReadAllText(Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios", "versions.env")), Does.Contain("BACKEND_VERSION=0.2.3"));
        Assert.That(Path.Exists(Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios", "deploy.lock")), Is.False, "lock released");
        var verify = Run("swarm", "--target=Verify", "--services=backend", "--version=0.2.4", "--exclusive");
        Assert.That(verify.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(verify));
        // What the manager reports of the rolled-back update may already have moved on (a loaded CI run saw no
        // rollback_completed there): the running version is what Verify must name.
        Assert.That(verify.StandardError, Does.Contain("backend: runs ").And.Contain("not version 0.2.4"));
    }

    [Test, Order(3)]
    public void RollbackGoesToTheRecordedPreviousVersion()
    {
        Ok("swarm", "--target=Rollback", "--services=backend", "--exclusive");
        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.2"));

        // Status and Logs read a Swarm's services through its manager, not containers by Compose's labels.
        var status = Run("swarm", "--target=Status", "--services=backend");
        Assert.That(status.ExitCode, Is.Zero, Output(status));
        Assert.That(status.StandardOutput.Split('\n').Single(l => l.StartsWith("backend ", StringComparison.Ordinal)),
            Does.Match(@"^backend\s+0\.2\.2\s+0\.2\.2\s+3/3 up\s"), Output(status));
        var logs = Run("swarm", "--target=Logs", "--services=backend", "--tail=5");
        Assert.That(logs.ExitCode, Is.Zero, Output(logs));
        Assert.That(logs.StandardOutput, Does.Contain("--- backend (Swarm service) ---"));

        // Setup prepares the manager (its env file is there, the same) and says what it manages; a worker is no manager.
        File.Copy(Path.Combine(_lab.Hosts[0].ProjectDirectory, "envs", ".env.prod"), Path.Combine(_app.Directory, "envs", ".env.swarm-setup"), true);
        var setup = Run("swarm", "--target=Setup", "--env-file=envs/.env.swarm-setup");
        Assert.That(setup.ExitCode, Is.Zero, Output(setup));
        Assert.That(setup.StandardOutput, Does.Contain("is already there, the same").And.Contain("manages a Swarm of 3 node(s)"));
        var environment = Environment();
        environment["SWARM_MANAGER"] = $"root@{_lab.Hosts[1].Address}";
        var worker = Shell.BuildScript(environment, [$"--config={_app.ConfigPath}", "--env=swarm", "--target=Setup", "--env-file=envs/.env.swarm-setup"]);
        Assert.That(worker.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(worker));
        Assert.That(Output(worker), Does.Contain("is not a Swarm manager").And.Contain("nothing was uploaded"));
        Assert.That(File.Exists(Path.Combine(_lab.Hosts[1].ProjectDirectory, "envs", ".env.prod")), Is.False, "no env file left on the worker");
    }

    [Test, Order(4)]
    public void ARunKilledDuringTheRollingUpdateIsPutBackByTheNextRun()
    {
        var records = Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios");
        using (var killed = new RunningSuite(Environment(), [$"--config={_app.ConfigPath}", "--env=swarm", "--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive"]))
        {
            Assert.That(killed.WaitFor("waiting for Swarm's rolling update", TimeSpan.FromSeconds(90)), Is.True, killed.Output);
            // The manager's supervisor dies with it (else it puts the change back at once, as a lost client's): the next run repairs.
            Shell.Run("pkill", ["-KILL", "-f", "client.gone"]);
            killed.Signal("KILL");
            killed.Exit(TimeSpan.FromSeconds(10));
        }

        Assert.That(File.ReadAllText(Path.Combine(records, "journal.env")), Does.Contain("to.BACKEND_VERSION=0.2.3"), "the killed run's change is journaled");
        Assert.That(File.ReadAllText(Path.Combine(records, "versions.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
        Ok("swarm", "--target=Unlock", "--force");

        var next = Run("swarm", "--target=Deploy", "--services=web", "--version=0.2.2", "--exclusive");
        Assert.That(next.ExitCode, Is.Zero, Output(next));
        Assert.That(Output(next), Does.Contain("an unfinished deploy of backend").And.Contain("putting back BACKEND_VERSION=0.2.2"));
        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.2"));
        Assert.That(File.Exists(Path.Combine(records, "journal.env")), Is.False, "the journal is closed");
        Assert.That(File.ReadAllText(Path.Combine(records, "versions.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
        var audit = File.ReadAllLines(Path.Combine(records, "audit.log"));
        Assert.That(audit.Count(l => l.Contains("\"action\":\"reconcile\"") && l.Contains("put back")), Is.EqualTo(1), string.Join('\n', audit));
        Assert.That(audit[^1], Does.Contain("\"action\":\"deploy\"").And.Contain("succeeded"));
    }

    [Test, Order(5)]
    public void HooksRunUnderTheManagersLockAndABackupIsKept()
    {
        var records = Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios");
        var trace = Path.Combine(_app.Directory, "..", $"{_app.Project}-hooks.txt");
        var locked = $"if [ -L '{records}/deploy.lock' ]; then echo locked; else echo unlocked; fi";
        _app.Configure("deploy:\n  healthTimeoutSeconds: 90\n", $"""
            deploy:
              healthTimeoutSeconds: 90
              hooks:
                preDeploy: ["echo pre $OCTAVIOS_HOOK_SERVICES $({locked}) >> '{trace}'"]
                postDeploy: ["echo post $OCTAVIOS_HOOK_VERSION $({locked}) >> '{trace}'"]
              backup:
                command: echo "dump of the swarm's database"

            """);
        var environment = Environment();
        environment["BACKUP_DB"] = "true";
        var run = Shell.BuildScript(environment, [$"--config={_app.ConfigPath}", "--env=swarm", "--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive"]);

        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(File.ReadAllLines(trace), Is.EqualTo(new[] { "pre backend locked", "post 0.2.3 locked" }));
        var backup = Directory.GetFiles(Path.Combine(_lab.Hosts[0].ProjectDirectory, "backups")).Single();
        Assert.That(File.ReadAllText(backup), Is.EqualTo("dump of the swarm's database\n"));
        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.3"));
    }

    [Test, Order(6)]
    public void CtrlCDuringTheGatePutsTheRecordedVersionBackOnEveryReplicaBeforeExiting()
    {
        var records = Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios");
        int exit;
        using (var interrupted = new RunningSuite(Environment(), [$"--config={_app.ConfigPath}", "--env=swarm", "--target=Deploy", "--services=backend", "--version=0.2.2", "--exclusive"]))
        {
            Assert.That(interrupted.WaitFor("waiting for Swarm's rolling update", TimeSpan.FromSeconds(90)), Is.True, interrupted.Output);
            interrupted.Signal("INT");
            exit = interrupted.Exit(TimeSpan.FromSeconds(400));
            Assert.That(exit, Is.EqualTo(ExitCodes.Interrupted), interrupted.Output);
        }

        Assert.That(RunningBackendImages(), Has.Count.EqualTo(3).And.All.EqualTo($"{_registry.Address}/octavios/backend:0.2.3"));
        Assert.That(File.Exists(Path.Combine(records, "journal.env")), Is.False, "no journal");
        Assert.That(Path.Exists(Path.Combine(records, "deploy.lock")), Is.False, "no lock");
        Assert.That(File.ReadAllText(Path.Combine(records, "versions.env")), Does.Contain("BACKEND_VERSION=0.2.3"));
        Assert.That(File.ReadAllLines(Path.Combine(records, "audit.log"))[^1], Does.Contain("interrupted; put back"));
    }

    [Test, Order(7)]
    public async Task EveryFaultOfAStackDeployEndsInTheInvariant()
    {
        // The three replicas update together, checked every second: a case takes seconds, not a minute.
        var overlay = Path.Combine(_app.Directory, "infra", "docker-compose.swarm.yml");
        File.WriteAllText(overlay, File.ReadAllText(overlay).Replace("      replicas: 3\n", """
                  replicas: 3
                  update_config: {parallelism: 3, order: start-first, failure_action: rollback, monitor: 2s}
                  rollback_config: {parallelism: 3, order: start-first, monitor: 2s}

            """).Replace("interval: 2s", "interval: 1s"));
        var rig = new SwarmSweepRig(_app, _lab);
        var deploy = await CrashSweep.RecordAsync(rig, "0.2.3");
        var points = CrashSweep.Points(deploy, 0, new HashSet<string> { $"state of {_app.Project}_backend" }, new HashSet<string> { $"docker stack deploy {_app.Project}" })
            .Select(p => ("0.2.3", p.Title, p.Occurrence)).ToList();
        var all = CrashSweep.Cases(points, CrashSweep.EveryFault);
        var cases = CrashSweep.Sample(all, most: 1);

        var violations = await CrashSweep.RunAsync([rig], cases);

        TestContext.Out.WriteLine($"swarm (stack deploy through the manager): {points.Count} commands ({string.Join(", ", points.Select(p => p.Title))}), " +
                                  $"{all.Count} injection points ({(CrashSweep.EveryFault ? "every fault at each" : "the faults in turn")}), {cases.Count} run: {string.Join("; ", cases)}");
        Assert.That(points.Count, Is.GreaterThanOrEqualTo(6), string.Join(", ", deploy));
        Assert.That(violations, Is.Empty);
    }
}
