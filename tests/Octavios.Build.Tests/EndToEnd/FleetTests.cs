using System.Text.RegularExpressions;
using Octavios.Deploy.Records;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// Deploy to a fleet of three hosts (<see cref="FleetLab"/>: each its own network namespace, Docker engine and sshd),
/// all on 0.2.2 to begin with. On h2 the env file makes backend 0.2.4 crash, so that release fails on h2 only.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class FleetTests
{
    private static readonly string[] Services = ["backend", "web", "file-manager", "bank-advisor", "aletheia", "proxy"];
    private TestRegistry _registry = null!;
    private ExampleApp _app = null!;
    private FleetLab _lab = null!;

    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private Octavios.Deploy.Execution.CommandResult Run(params string[] args) =>
        Shell.BuildScript(_lab.Environment(), [$"--config={_app.ConfigPath}", "--env=prod", .. args]);

    private void Ok(params string[] args)
    {
        var run = Run(args);
        Assert.That(run.ExitCode, Is.Zero, Output(run));
    }

    private string Image(string service, string version) => $"{_registry.Address}/octavios/{service}:{version}";

    [OneTimeSetUp]
    public void StartFleetWithAllOn022()
    {
        _registry = TestRegistry.Start(reachableFromLab: true);
        _app = new ExampleApp(_registry.Address, push: false);
        _lab = FleetLab.Start(3, int.Parse(_registry.Address.Split(':')[1]));
        foreach (var host in _lab.Hosts)
            ProdRig.PrepareServer(_app, host.ProjectDirectory, host.Name == "h2" ? "https://fail.example.invalid" : "https://octavios.example.invalid");
        Ok("--target=Push", "--services=all", "--version=0.2.2");
        Ok("--target=Push", "--services=backend", "--version=0.2.3");
        Ok("--target=Deploy", "--services=all", "--version=0.2.2");
        File.AppendAllText(Path.Combine(_app.Directory, "apps", "backend", "Dockerfile"),
            "CMD [\"sh\", \"-c\", \"case \\\"$CORS_ORIGINS\\\" in *fail*) echo failing here; exit 3;; esac; exec httpd -f -p 8000 -h /www\"]\n");
        _app.Commit("backend 0.2.4 crashes where CORS_ORIGINS says fail");
        Ok("--target=Push", "--services=backend", "--version=0.2.4");
    }

    [OneTimeTearDown]
    public void StopFleet()
    {
        _lab?.Dispose();
        _app?.Dispose();
        _registry?.Dispose();
    }

    /// <summary>Gives backend a release command that says where it ran; returns the configuration text to take it away again.</summary>
    private string WithRelease(bool perHost)
    {
        var release = "versionVariable: BACKEND_VERSION\n    release:\n      command: echo \"release ran in $SERVICE_NAME\"\n" +
                      (perHost ? "      perHost: true\n" : "");
        _app.Configure("versionVariable: BACKEND_VERSION\n", release);
        return release;
    }

    [Test, Order(0)]
    public void ValidateChecksEveryHostAndNamesTheOneThatFails()
    {
        var passed = Run("--target=Validate", "--services=backend", "--version=0.2.3", "--exclusive");
        Assert.That(passed.ExitCode, Is.Zero, Output(passed));
        foreach (var host in _lab.Hosts) Assert.That(passed.StandardOutput, Does.Contain($"connected to root@{host.Address}"));

        var envFile = Path.Combine(_lab.Hosts[2].ProjectDirectory, "envs", ".env.prod");
        File.Move(envFile, envFile + ".away");
        try
        {
            var failed = Run("--target=Validate", "--services=backend", "--version=0.2.3", "--exclusive");
            Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failed));
            Assert.That(failed.StandardOutput.Split('\n').Where(l => l.Contains("ERROR")), Has.Some.Contains(_lab.Hosts[2].Address).And.All.Not.Contains(_lab.Hosts[0].Address));
        }
        finally
        {
            File.Move(envFile + ".away", envFile);
        }

        // Each host's own env file passes the same checks: a short secret on h3 alone fails Validate, naming h3 only.
        var original = File.ReadAllText(envFile);
        File.WriteAllText(envFile, string.Join('\n', original.Split('\n').Select(l => l.StartsWith("SECRET_KEY=") ? "SECRET_KEY=h3-short-secret" : l)));
        try
        {
            var failed = Run("--target=Validate", "--services=backend", "--version=0.2.3", "--exclusive");
            Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failed));
            var errors = failed.StandardOutput.Split('\n').Where(l => l.Contains("ERROR")).ToList();
            Assert.That(errors, Has.Some.Contains("env.secret-length").And.Some.Contains(_lab.Hosts[2].Address), Output(failed));
            Assert.That(errors, Has.All.Not.Contains(_lab.Hosts[0].Address).And.All.Not.Contains(_lab.Hosts[1].Address), Output(failed));
            Assert.That(Output(failed), Does.Not.Contain("h3-short-secret"));
        }
        finally
        {
            File.WriteAllText(envFile, original);
        }

        var unknown = Run("--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive", "--hosts=10.231.0.99");
        Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.BadInput), Output(unknown));
        Assert.That(unknown.StandardError, Does.Contain("--hosts names 10.231.0.99"));
    }

    [Test, Order(1)]
    public void AnotherDeploysLockOnOneHostChangesNothingOnAnyHost()
    {
        var before = _lab.Hosts.Select(h => h.Containers(_app.Project)).ToList();
        var held = Path.Combine(_lab.Hosts[1].ProjectDirectory, ".octavios");
        Directory.CreateDirectory(Path.Combine(held, "lock.someoneelse"));
        File.WriteAllText(Path.Combine(held, "lock.someoneelse", "owner.json"),
            Octavios.Deploy.Records.LockOwner.Create("alice", "laptop", "deploy web 9.9.9").ToJson());
        File.WriteAllText(Path.Combine(held, "lock.someoneelse", "heartbeat"), "");
        File.CreateSymbolicLink(Path.Combine(held, "deploy.lock"), "lock.someoneelse");
        try
        {
            var run = Run("--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive");
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
            Assert.That(run.StandardError, Does.Contain("another deploy holds the lock").And.Contain("alice"));
            for (var i = 0; i < _lab.Hosts.Count; i++)
            {
                var host = _lab.Hosts[i];
                Assert.That(host.Containers(_app.Project).ToDictionary(c => c.Key, c => c.Value.Id), Is.EquivalentTo(before[i].ToDictionary(c => c.Key, c => c.Value.Id)), $"{host.Name} unchanged");
                Assert.That(File.ReadAllText(Path.Combine(host.ProjectDirectory, ".octavios", "versions.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
                if (i != 1) Assert.That(Path.Exists(Path.Combine(host.ProjectDirectory, ".octavios", "deploy.lock")), Is.False, $"{host.Name}'s lock released");
            }

            // The read targets act on every host at once, each line or block named by its host.
            var status = Run("--target=Status", "--services=backend");
            Assert.That(status.ExitCode, Is.Zero, Output(status));
            foreach (var host in _lab.Hosts) Assert.That(status.StandardOutput, Does.Contain(host.Address), "every host's status");
            Assert.That(status.StandardOutput, Does.Contain("deploy lock: held by alice"));
            var history = Run("--target=History", "--tail=1");
            Assert.That(history.ExitCode, Is.Zero, Output(history));
            foreach (var host in _lab.Hosts) Assert.That(history.StandardOutput, Does.Match($@"\[[^\]]*{System.Text.RegularExpressions.Regex.Escape(host.Address)}[^\]]*\] "), "every host's audit lines, prefixed");
            var unlock = Run("--target=Unlock");
            Assert.That(unlock.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(unlock));
            Assert.That(unlock.StandardError, Does.Contain("Unlock failed on 1 of 3 hosts").And.Contain(_lab.Hosts[1].Address).And.Contain("that run is alive"));
            Assert.That(unlock.StandardOutput, Does.Contain($"{_lab.Hosts[0].Address}] No deploy lock was held"));
            Assert.That(Path.Exists(Path.Combine(held, "deploy.lock")), Is.True, "a live holder's lock is left");
        }
        finally
        {
            File.Delete(Path.Combine(held, "deploy.lock"));
            Directory.Delete(Path.Combine(held, "lock.someoneelse"), true);
        }
    }

    [Test, Order(2)]
    public void AReleaseFailingOnTheSecondHostPutsTheFirstTwoBackAndNeverTouchesTheThird()
    {
        var before = _lab.Hosts.Select(h => h.Containers(_app.Project)).ToList();
        // A release command runs once per deploy, on the first host to get there, whatever happens on the others.
        var release = WithRelease(perHost: false);
        var run = Run("--target=Deploy", "--services=backend", "--version=0.2.4", "--exclusive");
        _app.Configure(release, "versionVariable: BACKEND_VERSION\n");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(Regex.Count(run.StandardOutput, "release ran in backend"), Is.EqualTo(1), Output(run));
        foreach (var host in _lab.Hosts)
        {
            var backend = host.Containers(_app.Project)["backend"];
            Assert.That(backend.Image, Is.EqualTo(Image("backend", "0.2.2")), $"{host.Name} runs 0.2.2");
            Assert.That(backend.Health, Is.EqualTo("healthy"), host.Name);
            Assert.That(File.ReadAllText(Path.Combine(host.ProjectDirectory, ".octavios", "versions.env")), Does.Contain("BACKEND_VERSION=0.2.2"));
        }

        Assert.That(_lab.Hosts[2].Containers(_app.Project)["backend"].Id, Is.EqualTo(before[2]["backend"].Id), "h3 never touched");
        Assert.That(File.ReadAllLines(Path.Combine(_lab.Hosts[0].ProjectDirectory, ".octavios", "audit.log"))[^1], Does.Contain("\"action\":\"revert\""));
        Assert.That(File.ReadAllLines(Path.Combine(_lab.Hosts[1].ProjectDirectory, ".octavios", "audit.log"))[^1], Does.Contain("failed"));
        var table = run.StandardOutput.Split('\n').SkipWhile(l => !l.Contains("HOST") || !l.Contains("RESULT")).ToList();
        Assert.That(table, Is.Not.Empty, Output(run));
        Assert.That(table.First(l => l.Contains("10.231.0.11") && l.Contains("backend")), Does.Contain("0.2.4").And.Contain("put back"));
        Assert.That(table.First(l => l.Contains("10.231.0.12") && l.Contains("backend")), Does.Contain("failed"));
        Assert.That(table.First(l => l.Contains("10.231.0.13") && l.Contains("backend")), Does.Contain("not changed"));
    }

    [Test, Order(4)]
    public void RolesDeployAServiceOnlyToItsHosts()
    {
        _app.Configure("    push: true\n  # A Docker Swarm", $"    push: true\n    roles:\n      web: [{_lab.Hosts[2].Address}]\n  # A Docker Swarm");
        var before = _lab.Hosts.Select(h => h.Containers(_app.Project)).ToList();

        var run = Run("--target=Deploy", "--services=web", "--version=0.2.2", "--exclusive");

        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(_lab.Hosts[2].Containers(_app.Project)["web"].Id, Is.Not.EqualTo(before[2]["web"].Id), "h3 runs web: redeployed");
        for (var i = 0; i < 2; i++)
            Assert.That(_lab.Hosts[i].Containers(_app.Project).ToDictionary(c => c.Key, c => c.Value.Id), Is.EquivalentTo(before[i].ToDictionary(c => c.Key, c => c.Value.Id)), $"{_lab.Hosts[i].Name} untouched");
        Assert.That(run.StandardOutput, Does.Contain($"fleet of 1: root@{_lab.Hosts[2].Address}"));
    }

    [Test, Order(3)]
    public void AFleetDeployUpdatesEveryHostOverOneConnectionEachAndTouchesNothingElse()
    {
        var before = _lab.Hosts.Select(h => h.Containers(_app.Project)).ToList();
        var connections = _lab.Hosts.Select(h => h.Connections()).ToList();
        // The fleet's hooks run once, while every host holds its lock; a hook that runs the suite again is a run of its own.
        var trace = Path.Combine(_app.Directory, "hooks.txt");
        var locked = string.Join(" && ", _lab.Hosts.Select(h => $"test -L '{Path.Combine(h.ProjectDirectory, Octavios.Deploy.Commands.LockCommands.Link)}'"));
        var hooks = $"""
              hooks:
                preDeploy:
                  - ({locked}) && echo "pre locked $OCTAVIOS_HOOK_HOSTS" >> '{trace}'
                  - "'{SuiteRun.RepositoryRoot}/build.sh' --target=Env --config='{_app.ConfigPath}' > '{trace}.inner' 2>&1; echo inner $? >> '{trace}'"
                postDeploy:
                  - ({locked}) && echo "post locked" >> '{trace}'

            """;
        _app.Configure(ExampleApp.StableSetting + "\n", ExampleApp.StableSetting + "\n" + hooks);
        var release = WithRelease(perHost: true);

        var run = Run("--target=Deploy", "--services=backend", "--version=0.2.3", "--exclusive");
        Assert.That(run.ExitCode, Is.Zero, Output(run));
        _app.Configure(ExampleApp.StableSetting + "\n" + hooks, ExampleApp.StableSetting + "\n");
        _app.Configure(release, "versionVariable: BACKEND_VERSION\n");
        Assert.That(Regex.Count(run.StandardOutput, "release ran in backend"), Is.EqualTo(3), "release.perHost: once on each host");
        Assert.That(File.ReadAllLines(trace), Is.EqualTo(new[] { $"pre locked {_lab.Servers}", "inner 0", "post locked" }), File.ReadAllText(trace + ".inner"));

        for (var i = 0; i < _lab.Hosts.Count; i++)
        {
            var host = _lab.Hosts[i];
            var after = host.Containers(_app.Project);
            Assert.That(after["backend"].Image, Is.EqualTo(Image("backend", "0.2.3")), host.Name);
            Assert.That(after["backend"].Health, Is.EqualTo("healthy"), host.Name);
            foreach (var other in Services.Where(s => s != "backend"))
                Assert.That(after[other].Id, Is.EqualTo(before[i][other].Id), $"{host.Name}: {other} untouched");
            Assert.That(host.Connections() - connections[i], Is.EqualTo(1), $"{host.Name}: one SSH connection for the run");
            Assert.That(File.ReadAllText(Path.Combine(host.ProjectDirectory, ".octavios", "versions.env")), Does.Contain("BACKEND_VERSION=0.2.3"));
            Assert.That(File.ReadAllLines(Path.Combine(host.ProjectDirectory, ".octavios", "audit.log"))[^1], Does.Contain("succeeded"));
        }

        var verify = Run("--target=Verify", "--services=backend", "--exclusive");
        Assert.That(verify.ExitCode, Is.Zero, Output(verify));
        Assert.That(verify.StandardOutput, Does.Contain($"Verify passed for backend on {string.Join(", ", _lab.Hosts.Select(h => $"root@{h.Address}"))}"));
    }

    [Test, Order(5)]
    public void AFleetRollbackReturnsEachHostToItsOwnPreviousVersion()
    {
        // Every host runs backend 0.2.3 (rollback target 0.2.2); h3 alone goes on to 0.2.4 (rollback target 0.2.3).
        Ok("--target=Deploy", "--services=backend", "--version=0.2.4", "--exclusive", $"--hosts={_lab.Hosts[2].Address}");

        var run = Run("--target=Rollback", "--services=backend");

        Assert.That(run.ExitCode, Is.Zero, Output(run));
        for (var i = 0; i < _lab.Hosts.Count; i++)
        {
            var (host, expected) = (_lab.Hosts[i], i == 2 ? "0.2.3" : "0.2.2");
            Assert.That(host.Containers(_app.Project)["backend"].Image, Is.EqualTo(Image("backend", expected)), host.Name);
            Assert.That(File.ReadAllText(Path.Combine(host.ProjectDirectory, ".octavios", "versions.env")), Does.Contain($"BACKEND_VERSION={expected}"), host.Name);
            Assert.That(File.ReadAllLines(Path.Combine(host.ProjectDirectory, ".octavios", "audit.log"))[^1], Does.Contain("\"action\":\"rollback\"").And.Contain($"\"BACKEND_VERSION\":\"{expected}\""));
        }
    }

    [Test, Order(6)]
    public async Task EveryFaultOnTheSecondHostEndsInTheInvariantOnEveryHost()
    {
        var rig = new FleetSweepRig(_app, _lab);
        var deploy = await CrashSweep.RecordAsync(rig, "0.2.3");
        var failing = await CrashSweep.RecordAsync(rig, "0.2.4", mayFail: true);
        var points = CrashSweep.DeployAndUndoPoints(deploy, failing);
        var all = CrashSweep.Cases(points, CrashSweep.EveryFault);
        var cases = CrashSweep.Sample(all, most: 1);

        var violations = await CrashSweep.RunAsync([rig], cases);

        TestContext.Out.WriteLine($"fleet of 3, faults on h2 after h1 was updated: {points.Count} commands ({points.Count(p => p.Version == "0.2.3")} in the deploy, " +
                                  $"{points.Count(p => p.Version == "0.2.4")} in h2's undo of a failing release), {all.Count} injection points " +
                                  $"({(CrashSweep.EveryFault ? "every fault at each" : "the faults in turn")}), {cases.Count} run: {string.Join("; ", cases)}");
        Assert.That(points.Count, Is.GreaterThanOrEqualTo(12), string.Join(", ", deploy));
        Assert.That(violations, Is.Empty);
    }

    [Test]
    public void EnvDiffComparesTheFileToUploadWithEachHostsByHashes()
    {
        // To upload: h1's file (a command's output) with one variable changed by a command of its own, which counts its runs.
        // h2's file also differs from h1's in CORS_ORIGINS (set up so).
        var upload = Path.Combine(_app.Directory, "envs", ".env.upload");
        var runs = Path.Combine(_app.Directory, "variable-runs");
        File.Copy(Path.Combine(_lab.Hosts[0].ProjectDirectory, "envs", ".env.prod"), upload, overwrite: true);
        var source = $"    envSource:\n      command: cat envs/.env.upload\n      variables:\n        JWT_SECRET_KEY: {{ command: 'echo run >> {runs}; echo another-jwt-secret-5Gh7Jk9Lq2Wz4Xc6Vb8N' }}\n";
        // Anchored on what only prod has: an earlier test leaves its roles after push: true.
        const string prod = "    serverFrom: DEPLOY_SERVER\n    projectDirFrom: DEPLOY_PROJECT_DIR\n    envFile: envs/.env.prod\n";
        _app.Configure(prod, prod + source);
        var report = Path.Combine(_app.Directory, "diff.json");
        try
        {
            var diff = Run("--target=Env", "--diff", $"--report={report}");
            Assert.That(File.ReadAllLines(runs), Has.Length.EqualTo(1), "the variable's command ran once for the three hosts");
            Assert.That(diff.ExitCode, Is.Zero, Output(diff));
            var figures = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report)).RootElement.EnumerateArray().ToDictionary(
                host => host.GetProperty("host").GetString()!,
                host => host.GetProperty("variables").EnumerateArray().Where(v => v.GetProperty("change").GetString() != "unchanged")
                    .Select(v => $"{v.GetProperty("name").GetString()} {v.GetProperty("change").GetString()} {string.Join(",", v.GetProperty("services").EnumerateArray().Select(s => s.GetString()))}")
                    .ToList());
            Assert.That(figures, Is.EqualTo(new Dictionary<string, List<string>>
            {
                [$"root@{_lab.Hosts[0].Address}"] = ["JWT_SECRET_KEY changed backend"],
                [$"root@{_lab.Hosts[1].Address}"] = ["JWT_SECRET_KEY changed backend", "CORS_ORIGINS changed backend"],
                [$"root@{_lab.Hosts[2].Address}"] = ["JWT_SECRET_KEY changed backend"],
            }));
            Assert.That(diff.StandardOutput, Does.Not.Contain("another-jwt-secret").And.Not.Contain(ProdRig.JwtSecretKey).And.Not.Contain("fail.example.invalid"));
        }
        finally
        {
            _app.Configure(prod + source, prod);
            File.Delete(upload);
            File.Delete(report);
            File.Delete(runs);
        }
    }
}
