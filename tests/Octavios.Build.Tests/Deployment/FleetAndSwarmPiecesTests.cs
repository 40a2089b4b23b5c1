using Octavios.Deploy.Configuration;
using Octavios.Deploy.Output;
using Octavios.Deploy;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Remote;
using Octavios.Deploy.Validation.Checks;

namespace Octavios.Build.Tests.Deployment;

/// <summary>The pure parts of fleets and swarms: batches, the barrier's rules, addresses, Swarm's commands, states and defaults.</summary>
public class FleetAndSwarmPiecesTests
{
    [Test]
    public void BatchesAreACountOrAPercentageOfTheFleet()
    {
        Assert.That(HostBatches.Of(5, "2"), Is.EqualTo(new[] { 0, 0, 1, 1, 2 }));
        Assert.That(HostBatches.Of(8, "25%"), Is.EqualTo(new[] { 0, 0, 1, 1, 2, 2, 3, 3 }));
        Assert.That(HostBatches.Of(3, "10%"), Is.EqualTo(new[] { 0, 1, 2 }), "at least one host a batch");
        Assert.That(HostBatches.Of(8, "100%"), Is.All.EqualTo(0));
        foreach (var bad in new[] { "0", "-1", "0%", "101%", "x", "", "1.5", "1001" })
            Assert.That(HostBatches.ParseSize(bad), Is.Null, bad);
    }

    [Test]
    public void AServerVariableMayNameAFleet()
    {
        var fleet = ServerAddress.ParseList("root@10.0.0.1, deploy@web2:2222 web3");
        Assert.That(fleet.Select(a => a.ToString()), Is.EqualTo(new[] { "root@10.0.0.1", "deploy@web2:2222", "web3" }));
        Assert.Throws<DeployInputException>(() => ServerAddress.ParseList("a@h1,a@h1"));
        Assert.Throws<DeployInputException>(() => ServerAddress.ParseList(" , "));
        Assert.Throws<DeployInputException>(() => ServerAddress.ParseList("a@h1,;rm -rf /"));
    }

    [Test]
    public void RolesPlaceServicesOnSomeHostsAndTheRestEverywhere()
    {
        var roles = new Dictionary<string, List<string>> { ["web"] = ["web1", "root@10.0.0.2", "[::1]:2222"], ["backend"] = ["app1", "fd00::7"] };
        Assert.That(Names(FleetHost.ServicesOn(Host("root@web1"), Services(["web", "backend", "proxy"]), roles)), Is.EqualTo(new[] { "web", "proxy" }));
        Assert.That(Names(FleetHost.ServicesOn(Host("root@10.0.0.2"), Services(["web", "backend"]), roles)), Is.EqualTo(new[] { "web" }));
        Assert.That(Names(FleetHost.ServicesOn(Host("deploy@app1:2222"), Services(["web", "backend"]), roles)), Is.EqualTo(new[] { "backend" }));
        Assert.That(Names(FleetHost.ServicesOn(Host("root@db1"), Services(["web", "backend"]), roles)), Is.Empty);
        // An IPv6 host is matched by its address, written as DEPLOY_SERVER writes it, or by its bare host.
        Assert.That(Names(FleetHost.ServicesOn(Host("[::1]:2222"), Services(["web", "backend"]), roles)), Is.EqualTo(new[] { "web" }));
        Assert.That(Names(FleetHost.ServicesOn(Host("root@[fd00::7]"), Services(["web", "backend"]), roles)), Is.EqualTo(new[] { "backend" }));
        Assert.That(ServerAddress.Parse("[::1]:2222").ToString(), Is.EqualTo("[::1]:2222"));
        Assert.That(() => ServerAddress.Parse("root@web1\n"), Throws.Exception.With.Message.Contains("root@web1\\n'"), "a trailing newline is not part of a valid address, and is shown as one");

        static IReadOnlyList<SelectedService> Services(string[] names) => names.Select(n => new SelectedService(n, new ServiceConfig())).ToList();
        static IEnumerable<string> Names(IEnumerable<SelectedService> services) => services.Select(s => s.Name);
        static DeployTarget Host(string address) =>
            new(address, new Octavios.Deploy.Execution.DryRunCommandRunner(address, new Support.NullLog()), false, ServerAddress.Parse(address));
    }

    [Test]
    public async Task NoHostChangesAnythingUntilEveryHostIsLocked()
    {
        var barrier = new FleetBarrier([0, 0, 0], rollbackUpdatedHosts: true);
        var first = barrier.For(0).LockedAsync(CancellationToken.None);
        var second = barrier.For(1).LockedAsync(CancellationToken.None);
        Assert.That(first.IsCompleted || second.IsCompleted, Is.False, "waiting for the third host");
        barrier.Ended(2, failed: true, stopped: false);
        Assert.That(await first, Is.False);
        Assert.That(await second, Is.False);
    }

    [Test]
    public async Task ABatchWaitsForTheEarlierOneToBeRecordedAndAFailureRevertsTheUpdatedHosts()
    {
        var barrier = new FleetBarrier([0, 1], rollbackUpdatedHosts: true);
        var (h1, h2) = (barrier.For(0), barrier.For(1));
        await Task.WhenAll(h1.LockedAsync(CancellationToken.None), h2.LockedAsync(CancellationToken.None));
        var h2Turn = h2.ReadyToChangeAsync(CancellationToken.None);
        Assert.That(await h1.ReadyToChangeAsync(CancellationToken.None), Is.True);
        Assert.That(h2Turn.IsCompleted, Is.False, "batch 2 waits for batch 1");
        var h1Keep = h1.KeepAsync(CancellationToken.None);
        Assert.That(await h2Turn, Is.True, "batch 1 recorded: batch 2 goes");
        Assert.That(h1Keep.IsCompleted, Is.False, "the updated host waits for the fleet's end");
        barrier.Ended(1, failed: true, stopped: false);
        Assert.That(await h1Keep, Is.False, "h2 failed: h1 goes back");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AnInterruptionBeforeEveryHostIsUpdatedSendsTheUpdatedOnesBackUnlessAMixedFleetIsAllowed(bool rollbackUpdatedHosts)
    {
        var barrier = new FleetBarrier([0, 1], rollbackUpdatedHosts);
        var (h1, h2) = (barrier.For(0), barrier.For(1));
        await Task.WhenAll(h1.LockedAsync(CancellationToken.None), h2.LockedAsync(CancellationToken.None));
        var h2Turn = h2.ReadyToChangeAsync(CancellationToken.None);
        await h1.ReadyToChangeAsync(CancellationToken.None);
        using var interruption = new CancellationTokenSource();
        var h1Keep = h1.KeepAsync(interruption.Token);
        await h2Turn;
        await interruption.CancelAsync();
        if (rollbackUpdatedHosts)
            Assert.That(async () => await h1Keep, Throws.InstanceOf<OperationCanceledException>(), "h1's transaction reverts it: the run was interrupted");
        else
            Assert.That(await h1Keep, Is.True, "a mixed fleet is allowed: h1 keeps what it recorded");
    }

    [Test]
    public async Task AMixedFleetStaysWhenTheConfigurationAllowsIt()
    {
        var barrier = new FleetBarrier([0, 1], rollbackUpdatedHosts: false);
        var (h1, h2) = (barrier.For(0), barrier.For(1));
        await Task.WhenAll(h1.LockedAsync(CancellationToken.None), h2.LockedAsync(CancellationToken.None));
        var h2Turn = h2.ReadyToChangeAsync(CancellationToken.None);
        await h1.ReadyToChangeAsync(CancellationToken.None);
        var h1Keep = h1.KeepAsync(CancellationToken.None);
        await h2Turn;
        barrier.Ended(1, failed: true, stopped: false);
        Assert.That(await h1Keep, Is.True);
    }

    [Test]
    public async Task StackDeployGetsItsVariablesOnStandardInputNeverOnTheCommandLine()
    {
        var command = SwarmCommands.Deploy("octavios", ["infra/a.yml", ".octavios/swarm-defaults.yml"],
            new Dictionary<string, CommandArg> { ["SECRET_KEY"] = CommandArg.Secret("s3cr3t 'quoted' $x"), ["BACKEND_VERSION"] = "0.2.3" }, withRegistryAuth: true);
        Assert.That(command.ToShellLine(), Does.Not.Contain("s3cr3t"));
        Assert.That(command.Display(), Does.Contain("--compose-file infra/a.yml --compose-file .octavios/swarm-defaults.yml --with-registry-auth --detach=true octavios"));
        Assert.That(command.StandardInput!.IsSecret, Is.True);
        Assert.That(command.StandardInput.Value, Does.Contain("export SECRET_KEY='s3cr3t '\\''quoted'\\'' $x'\n"));
        // The exports read back by a real shell give the value exactly.
        var readBack = new Command("sh", ["-c", "eval \"$(cat)\" && printf %s \"$SECRET_KEY\""]) { StandardInput = command.StandardInput };
        var result = await new Octavios.Deploy.Execution.LocalCommandRunner(Path.GetTempPath(), new Support.NullLog(), new Octavios.Deploy.Output.SecretMasker())
            .TryRunAsync(readBack);
        Assert.That(result.StandardOutput.TrimEnd('\n'), Is.EqualTo("s3cr3t 'quoted' $x"));
    }

    [Test]
    public void ServiceStatesAreReadWithAndWithoutAnUpdate()
    {
        var fresh = SwarmServiceState.Parse("18||||127.0.0.1:5000/octavios/backend:0.2.2@sha256:ab|3/3\n")!;
        Assert.That((fresh.UpdateState, fresh.AllRunning, fresh.Image), Is.EqualTo(("", true, "127.0.0.1:5000/octavios/backend:0.2.2@sha256:ab")));
        var rolledBack = SwarmServiceState.Parse("31|rollback_completed|2026-11-29 11:40:01 +0000 UTC|update rolled back due to failure|img|2/3 (max 1 per node)")!;
        Assert.That((rolledBack.UpdateState, rolledBack.AllRunning), Is.EqualTo(("rollback_completed", false)));
        Assert.That(SwarmServiceState.Parse("garbage"), Is.Null);
        Assert.That(SwarmServiceState.Parse("1||||img|0/0")!.AllRunning, Is.False);
        Assert.That(SwarmServiceState.Parse("18||||img|3/3|2")!.OffSpec, Is.EqualTo(2));
    }

    [Test]
    public void AStackDeploysUpdateIsDoneWhenItsOwnUpdateCompletesOrEveryReplicaRunsTheSpecsImage()
    {
        var before = SwarmServiceState.Parse("30|completed|2026-12-05 10:00:00 +0000 UTC|update completed|img:0.2.2|3/3|0")!;
        SwarmUpdate After(string line, bool settled = true) => SwarmServiceState.Parse(line)!.UpdateSince(before, settled);

        Assert.That(After("31|completed|2026-12-05 10:05:00 +0000 UTC|update completed|img:0.2.3|3/3|0"), Is.EqualTo(SwarmUpdate.Done));
        Assert.That(After("31|updating|2026-12-05 10:05:00 +0000 UTC||img:0.2.3|3/3|2"), Is.EqualTo(SwarmUpdate.Waiting));
        Assert.That(After("31|rollback_completed|2026-12-05 10:05:00 +0000 UTC|rolled back|img:0.2.2|3/3|0"), Is.EqualTo(SwarmUpdate.RolledBack));
        Assert.That(After("31|paused|2026-12-05 10:05:00 +0000 UTC|paused|img:0.2.3|2/3|1"), Is.EqualTo(SwarmUpdate.Paused));
        // A new image whose update Swarm has not begun yet (a loaded manager): the earlier update's "completed" is not this one's.
        Assert.That(After("31|completed|2026-12-05 10:00:00 +0000 UTC|update completed|img:0.2.3|3/3|3"), Is.EqualTo(SwarmUpdate.Waiting));
        // Nothing to update (the same spec): done once the moment for an update to begin has passed.
        Assert.That(After("31|completed|2026-12-05 10:00:00 +0000 UTC|update completed|img:0.2.2|3/3|0", settled: false), Is.EqualTo(SwarmUpdate.Waiting));
        Assert.That(After("31|completed|2026-12-05 10:00:00 +0000 UTC|update completed|img:0.2.2|3/3|0"), Is.EqualTo(SwarmUpdate.Done));
        // Swarm dropped the update's status (a change undid one still running): every replica on the spec's image is done.
        Assert.That(After("32||||img:0.2.2|3/3|0"), Is.EqualTo(SwarmUpdate.Done));
        Assert.That(After("32||||img:0.2.2|3/3|1"), Is.EqualTo(SwarmUpdate.Waiting));
    }

    [Test]
    public void TheSuiteAddsRollingUpdateDefaultsOnlyWhereTheFilesSetNone()
    {
        var file = ComposeFile.Parse("stack.yml", """
            services:
              backend:
                image: b
              proxy:
                deploy:
                  update_config: {order: stop-first}
                  rollback_config: {order: stop-first}
              web:
                deploy:
                  update_config: {parallelism: 2}
            """);
        var overlay = SwarmDefaults.Overlay([file], 5)!;
        var parsed = ComposeFile.Parse("defaults", overlay);
        Assert.That(parsed.Services.Select(s => s.Name), Is.EquivalentTo(new[] { "backend", "web" }));
        Assert.That(overlay, Does.Contain("backend:\n    deploy:\n      update_config: {parallelism: 1, order: start-first, failure_action: rollback, monitor: 5s}"));
        Assert.That(overlay, Does.Contain("web:\n    deploy:\n      rollback_config:"));
        Assert.That(SwarmDefaults.Overlay([ComposeFile.Parse("p", "services:\n  proxy:\n    deploy: {update_config: {}, rollback_config: {}}\n")], 5), Is.Null);
    }

    [Test]
    public void SwarmChecksNameNodesThatAreDownOrDrained()
    {
        var findings = SwarmChecks.Evaluate("root@m1", "h1|Ready|Active|Leader\nh2|Down|Active|\nh3|Ready|Drain|\n");
        Assert.That(findings.Select(f => (f.Check, f.Severity.ToString())), Is.EquivalentTo(new[]
        {
            ("swarm.manager", "Info"), ("swarm.nodes", "Error"), ("swarm.nodes", "Warning"),
        }));
        Assert.That(findings.Single(f => f.Severity.ToString() == "Error").Message, Does.Contain("h2 is Down"));
    }
}
