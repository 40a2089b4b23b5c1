using Octavios.Deploy.Records;
using Octavios.Build.Tests.Support;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;

namespace Octavios.Build.Tests.Deployment;

/// <summary>The server-side state scripts (lock, records, journal) run in a real shell on a real directory, full disk included.</summary>
public class ServerStateTests
{
    private string _dir = "";

    [SetUp]
    public void CreateProjectDirectory() => _dir = Directory.CreateTempSubdirectory("octavios-state-").FullName;

    [TearDown]
    public void RemoveProjectDirectory()
    {
        Shell.Run("umount", [_dir]);
        Directory.Delete(_dir, true);
    }

    private Octavios.Deploy.Execution.CommandResult Run(Command command) =>
        Shell.Run("sh", ["-c", command.StandardInput is { } input
            ? $"printf '%s' {ShellQuote.Quote(input.Value)} | {command.ToShellLine()}"
            : command.ToShellLine()], null, _dir);

    private static LockOwner Owner(string what) => LockOwner.Create("alice", "laptop", what);

    [Test]
    public void LockOwnerRoundTripsAndToleratesGarbage()
    {
        var owner = new LockOwner("alice", "laptop", new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), "deploy backend 0.2.3", "t0k3n");
        Assert.That(LockOwner.Parse(owner.ToJson()), Is.EqualTo(owner));
        Assert.That(owner.ToString(), Is.EqualTo("alice on laptop since 2026-11-28 09:00:00Z (deploy backend 0.2.3)"));
        Assert.That(LockOwner.Parse(""), Is.Null);
        Assert.That(LockOwner.Parse("{\"who\":1}"), Is.Null);
    }

    [Test]
    public async Task AFencedStepRunsOnlyWhileItsRunHoldsTheLock()
    {
        var (first, second) = (Owner("deploy backend 0.2.3"), Owner("deploy web 0.2.3"));
        var local = new Octavios.Deploy.Execution.LocalCommandRunner(_dir, new NullLog(), new Octavios.Deploy.Output.SecretMasker());
        var fenced = new FencedRunner(local, first.Token);
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        var write = new Command("sh", ["-c", "cat > \"$1\"", "sh", "written"]) { StandardInput = new CommandArg("by the first run"), WorkingDirectory = "sub", Title = "write" };
        Assert.That(Run(LockCommands.Take(first.Token, first.ToJson())).ExitCode, Is.Zero);

        await Octavios.Deploy.Execution.CommandRunnerExtensions.RunAsync(fenced, write);
        Assert.That(File.ReadAllText(Path.Combine(_dir, "sub", "written")), Is.EqualTo("by the first run"), "in its working directory, with its standard input");

        // Another run takes the lock over (the first was frozen past the stale time): the first can no longer change anything.
        Run(LockCommands.Break(first.Token));
        Assert.That(Run(LockCommands.Take(second.Token, second.ToJson())).ExitCode, Is.Zero);
        File.Delete(Path.Combine(_dir, "sub", "written"));
        var refused = Assert.ThrowsAsync<LockLostException>(() => fenced.TryRunAsync(write));
        Assert.That(refused!.Message, Does.Contain("'write' was not run"));
        Assert.That(File.Exists(Path.Combine(_dir, "sub", "written")), Is.False);
        Assert.That((await fenced.TryRunAsync(LockCommands.Release(first.Token))).ExitCode, Is.Zero, "the lock's own commands are not fenced");
        Assert.That(LockState.Parse(Run(LockCommands.Inspect()).StandardOutput).Token, Is.EqualTo(second.Token), "and leave another run's lock alone");
        var value = LockCommands.Fence(first.Token, write);
        Assert.That((value.Title, value.StandardInput, value.WorkingDirectory), Is.EqualTo(("write", write.StandardInput, (string?)null)), "the guarded command keeps its title and input; the guard enters its directory");
    }

    /// <summary>Writes a lock's heartbeat as the server would have <paramref name="secondsAgo"/> on its uptime clock, in this boot or another.</summary>
    private void StampHeartbeat(LockOwner owner, int secondsAgo, string? boot = null)
    {
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(_dir, ".octavios", $"lock.{owner.Token}", "heartbeat"),
            $"{boot ?? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()} {uptime - secondsAgo:0.00}\n");
    }

    [Test]
    public void ALocksAgeIsTimedOnTheServersUptimeWhichNoClockStepMoves()
    {
        var owner = Owner("deploy backend 0.2.3");
        Assert.That(Run(LockCommands.Take(owner.Token, owner.ToJson())).ExitCode, Is.Zero);
        var heartbeat = Path.Combine(_dir, ".octavios", $"lock.{owner.Token}", "heartbeat");
        // The server's clock went back, or forward, ten minutes after the last heartbeat: the age does not move.
        foreach (var step in new[] { 10, -10 })
        {
            File.SetLastWriteTimeUtc(heartbeat, DateTime.UtcNow.AddMinutes(step));
            var state = LockState.Parse(Run(LockCommands.Inspect()).StandardOutput);
            Assert.That(state.HeartbeatAgeSeconds, Is.InRange(0, 2), $"a clock step of {step} min");
            Assert.That(state.IsAbandoned(TimeSpan.FromSeconds(30)), Is.False);
        }

        Assert.That(Run(LockCommands.Beat(owner.Token)).ExitCode, Is.Zero);
        Assert.That(File.ReadAllText(heartbeat), Does.StartWith(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() + " "));
        StampHeartbeat(owner, 5, boot: "00000000-0000-0000-0000-000000000000");
        var rebooted = LockState.Parse(Run(LockCommands.Inspect()).StandardOutput);
        Assert.That((rebooted.IsAbandoned(TimeSpan.FromSeconds(30)), rebooted.Staleness), Is.EqualTo((true, "the server restarted since its last heartbeat")));

        // A heartbeat without a stamp (an older suite's) keeps its file time; one from the future is stale, not alive.
        File.WriteAllText(heartbeat, "");
        File.SetLastWriteTimeUtc(heartbeat, DateTime.UtcNow.AddMinutes(10));
        var legacy = LockState.Parse(Run(LockCommands.Inspect()).StandardOutput);
        Assert.That(legacy.HeartbeatAgeSeconds, Is.LessThan(-500));
        Assert.That(legacy.IsAbandoned(TimeSpan.FromSeconds(30)), Is.True);
    }

    [Test]
    public void OneTakerWinsTheOtherSeesTheHolderAndOnlyTheHolderReleases()
    {
        var first = Owner("deploy backend 0.2.3");
        var second = Owner("deploy web 0.2.3");
        Assert.That(Run(LockCommands.Take(first.Token, first.ToJson())).ExitCode, Is.Zero);
        Assert.That(Run(LockCommands.Take(second.Token, second.ToJson())).ExitCode, Is.EqualTo(3), "held");
        var state = LockState.Parse(Run(LockCommands.Inspect()).StandardOutput);
        Assert.That((state.Held, state.Token, state.Owner?.What), Is.EqualTo((true, first.Token, "deploy backend 0.2.3")));
        Assert.That(state.HeartbeatAgeSeconds, Is.InRange(0, 2));
        Assert.That(state.IsAbandoned(TimeSpan.FromSeconds(30)), Is.False);

        Assert.That(Run(LockCommands.Beat(second.Token)).ExitCode, Is.EqualTo(3), "a heartbeat of a run that does not hold the lock fails");
        Run(LockCommands.Release(second.Token));
        Assert.That(LockState.Parse(Run(LockCommands.Inspect()).StandardOutput).Token, Is.EqualTo(first.Token), "a release by another token leaves the lock");
        Assert.That(Run(LockCommands.Beat(first.Token)).ExitCode, Is.Zero);
        Run(LockCommands.Release(first.Token));
        Assert.That(Run(LockCommands.Inspect()).StandardOutput.Trim(), Is.EqualTo("free"));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(_dir, ".octavios")), Is.Empty, "nothing left behind");
    }

    [Test]
    public void AnAbandonedLockIsTakenOverByExactlyOneOfTwoRuns()
    {
        var dead = Owner("deploy backend 0.2.3");
        Run(LockCommands.Take(dead.Token, dead.ToJson()));
        StampHeartbeat(dead, 300);
        var state = LockState.Parse(Run(LockCommands.Inspect()).StandardOutput);
        Assert.That(state.IsAbandoned(TimeSpan.FromSeconds(30)), Is.True);

        var breaks = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Run(LockCommands.Break(dead.Token)).ExitCode)).ToArray();
        Task.WaitAll(breaks);
        Assert.That(breaks.Count(b => b.Result == 0), Is.GreaterThanOrEqualTo(1));
        Assert.That(Run(LockCommands.Inspect()).StandardOutput.Trim(), Is.EqualTo("free"));
        var takers = new[] { Owner("a"), Owner("b") };
        var taken = takers.Select(o => Task.Run(() => Run(LockCommands.Take(o.Token, o.ToJson())).ExitCode)).ToArray();
        Task.WaitAll(taken);
        Assert.That(taken.Count(t => t.Result == 0), Is.EqualTo(1), "one run wins");
    }

    [Test]
    public void AnOldStyleLockDirectoryIsReportedWithoutAToken()
    {
        Directory.CreateDirectory(Path.Combine(_dir, ".octavios", "deploy.lock"));
        File.WriteAllText(Path.Combine(_dir, ".octavios", "deploy.lock", "owner.json"), "");
        var state = LockState.Parse(Run(LockCommands.Inspect()).StandardOutput);
        Assert.That((state.Held, state.Token, state.Owner), Is.EqualTo((true, (string?)null, (LockOwner?)null)));
        Assert.That(state.Describe(), Does.Contain("could not be read"));
        Assert.That(Run(LockCommands.Take(Owner("x").Token, "{}")).ExitCode, Is.EqualTo(3));
    }

    [Test]
    public void RecordsJournalAndRollbackTargetsRoundTrip()
    {
        var journal = new DeployJournal("deploy", "tok", "alice@laptop", ["backend", "web"],
            new Dictionary<string, string?> { ["BACKEND_VERSION"] = "0.2.2", ["WEB_VERSION"] = null },
            new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.3", ["WEB_VERSION"] = "0.2.3" });
        var path = Path.Combine(_dir, "odd 'dir' $(touch pwned)");
        Directory.CreateDirectory(path);
        Assert.That(Shell.Run("sh", ["-c", RemoteFiles.Apply([
            FileChange.Write(VersionsFile.Current, "BACKEND_VERSION=0.2.2\nWEB_VERSION=0.2.2\n"),
            FileChange.Write(DeployJournal.File, journal.Format()),
        ], "t").ToShellLine()], null, path).ExitCode, Is.Zero);
        var records = ServerRecords.Parse(Shell.Run("sh", ["-c", ServerRecords.Read().ToShellLine()], null, path).StandardOutput);
        Assert.That(records.Current, Is.EqualTo(new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.2", ["WEB_VERSION"] = "0.2.2" }));
        Assert.That(records.Previous, Is.Empty);
        Assert.That(records.Journal, Is.Not.Null);
        Assert.That(records.Journal!.Format(), Is.EqualTo(journal.Format()));
        Assert.That(records.Journal.From["WEB_VERSION"], Is.Null);
        Assert.That(File.Exists(Path.Combine(_dir, "pwned")), Is.False);

        // web changes, then backend is redeployed at the same version: backend's rollback target survives both.
        var afterWeb = new ServerRecords(new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.3", ["WEB_VERSION"] = "0.2.2" },
            new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.2" }, null).After(new Dictionary<string, string> { ["WEB_VERSION"] = "0.2.3" });
        Assert.That(afterWeb.Previous, Is.EqualTo(new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.2", ["WEB_VERSION"] = "0.2.2" }));
        var redeploy = new ServerRecords(afterWeb.Current, afterWeb.Previous, null).After(new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.3" });
        Assert.That(redeploy.Previous["BACKEND_VERSION"], Is.EqualTo("0.2.2"));
        Assert.That(() => DeployJournal.Parse("garbage\n"), Throws.InvalidOperationException.With.Message.Contains("cannot be read"));
    }

    [Test]
    public void AJournalsCopiesKeepTheirModeAndGoAsADirectory()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "envs"));
        var env = Path.Combine(_dir, "envs", ".env.prod");
        File.WriteAllText(env, "SECRET_KEY=x\n");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(_dir, "compose.yml"), "services: {}\n");
        Assert.That(Run(RemoteFiles.Apply([
            FileChange.Delete(DeployJournal.Copies),
            FileChange.Copy(DeployJournal.Copies + "/compose.1.yml", "compose.yml"),
            FileChange.Copy(DeployJournal.Copies + "/env", "envs/.env.prod"),
            FileChange.Copy(DeployJournal.Copies + "/missing", "not-there.yml"),
        ], "journal")).ExitCode, Is.Zero);
        var copies = Path.Combine(_dir, DeployJournal.Copies);
        Assert.That(File.ReadAllText(Path.Combine(copies, "compose.1.yml")), Is.EqualTo("services: {}\n"));
        Assert.That(File.GetUnixFileMode(Path.Combine(copies, "env")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the env file's copy stays private");
        Assert.That(Directory.GetFiles(copies).Select(Path.GetFileName), Is.EquivalentTo(new[] { "compose.1.yml", "env" }), "a missing file is not copied");

        Assert.That(Run(RemoteFiles.Apply([FileChange.Delete(DeployJournal.Copies)], "commit")).ExitCode, Is.Zero);
        Assert.That(Directory.Exists(copies), Is.False);
    }

    [Test]
    public void AFullDiskLeavesNoLockNoTruncatedAuditLineAndNoTemporaryFile()
    {
        Assume.That(Shell.Run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", _dir]).ExitCode, Is.Zero, "needs root to mount a small tmpfs");
        Directory.CreateDirectory(Path.Combine(_dir, ".octavios"));
        var audit = Path.Combine(_dir, AuditEntry.File);
        File.WriteAllText(audit, "{\"first\":true}\n");
        // Fill the filesystem to the last byte.
        Shell.Run("sh", ["-c", "cat /dev/zero > filler 2>/dev/null; true"], null, _dir);

        var take = Run(LockCommands.Take(Owner("deploy backend 0.2.3").Token, "{}"));
        Assert.That(take.ExitCode, Is.EqualTo(4), "cannot write: its own exit code, not 'held'");
        Assert.That(Run(LockCommands.Inspect()).StandardOutput.Trim(), Is.EqualTo("free"), "no empty lock left behind");

        var append = Run(RemoteFiles.Apply([FileChange.Append(AuditEntry.File, new string('x', 100_000) + "\n")], "audit"));
        Assert.That(append.ExitCode, Is.Not.Zero);
        Assert.That(append.StandardError, Does.Contain("could not append"));
        Assert.That(File.ReadAllText(audit), Is.EqualTo("{\"first\":true}\n"), "the audit log is as it was");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(_dir, ".octavios"), "commit*"), Is.Empty, "nothing staged is left");
        var write = Run(RemoteFiles.Write(".octavios/versions.env", new string('y', 100_000)));
        Assert.That(write.ExitCode, Is.Not.Zero);
        Assert.That(Directory.GetFiles(Path.Combine(_dir, ".octavios"), "*.tmp.*"), Is.Empty, "no temporary file left by Write either");
    }

    /// <summary>The records commit of a deploy: versions, rollback targets, an audit line, the journal's removal.</summary>
    private static Command CommitOf(string backend) => RemoteFiles.Apply([
        FileChange.Write(VersionsFile.Current, $"BACKEND_VERSION={backend}\n"),
        FileChange.Write(VersionsFile.Previous, "BACKEND_VERSION=0.2.2\n"),
        FileChange.Append(AuditEntry.File, $"{{\"to\":\"{backend}\"}}\n"),
        FileChange.Delete(DeployJournal.File),
    ], "commit the records");

    private Dictionary<string, string> RecordFiles() =>
        new[] { VersionsFile.Current, VersionsFile.Previous, AuditEntry.File, DeployJournal.File }
            .ToDictionary(f => f, f => File.Exists(Path.Combine(_dir, f)) ? File.ReadAllText(Path.Combine(_dir, f)) : "(none)");

    [Test]
    public void ARecordsCommitOnAFullDiskChangesNoFileAtAll()
    {
        Assume.That(Shell.Run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", _dir]).ExitCode, Is.Zero, "needs root to mount a small tmpfs");
        Directory.CreateDirectory(Path.Combine(_dir, ".octavios"));
        File.WriteAllText(Path.Combine(_dir, VersionsFile.Current), "BACKEND_VERSION=0.2.3\n");
        File.WriteAllText(Path.Combine(_dir, DeployJournal.File), "action=deploy\nservices=backend\n");
        File.WriteAllText(Path.Combine(_dir, AuditEntry.File), new string('a', 20_000) + "\n");
        // Room for the small files, not for the audit log's copy: written file by file, versions would be new and the audit not.
        Shell.Run("sh", ["-c", "cat /dev/zero > filler 2>/dev/null; truncate -s -12k filler"], null, _dir);
        var before = RecordFiles();

        var commit = Run(CommitOf("0.2.4"));
        Assert.That(commit.ExitCode, Is.Not.Zero);
        Assert.That(commit.StandardError, Does.Contain("could not append .octavios/audit.log"));
        Assert.That(RecordFiles(), Is.EqualTo(before), "not one record changed, the journal still there");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(_dir, ".octavios"), "commit*"), Is.Empty, "nothing staged is left");

        File.Delete(Path.Combine(_dir, "filler"));
        Assert.That(Run(CommitOf("0.2.4")).ExitCode, Is.Zero);
        Assert.That(RecordFiles()[VersionsFile.Current], Is.EqualTo("BACKEND_VERSION=0.2.4\n"));
        Assert.That(RecordFiles()[DeployJournal.File], Is.EqualTo("(none)"));
    }

    [Test]
    public void ARecordsCommitCutOffAfterItsCommitPointIsReadAsCommittedAndFinishedByTheNextWrite()
    {
        Directory.CreateDirectory(Path.Combine(_dir, ".octavios"));
        File.WriteAllText(Path.Combine(_dir, VersionsFile.Current), "BACKEND_VERSION=0.2.3\n");
        File.WriteAllText(Path.Combine(_dir, DeployJournal.File), "action=deploy\nservices=backend\nto.BACKEND_VERSION=0.2.4\n");
        File.WriteAllText(Path.Combine(_dir, AuditEntry.File), "{\"to\":\"0.2.3\"}\n");
        // A regular file where a directory must be: the application stops after the commit point, half done, as a killed run would.
        File.WriteAllText(Path.Combine(_dir, "blocker"), "");
        var cut = Run(RemoteFiles.Apply([
            FileChange.Write(VersionsFile.Current, "BACKEND_VERSION=0.2.4\n"),
            FileChange.Write("blocker/late", "x"),
            FileChange.Append(AuditEntry.File, "{\"to\":\"0.2.4\"}\n"),
            FileChange.Delete(DeployJournal.File),
        ], "commit the records"));
        Assert.That(cut.ExitCode, Is.Not.Zero);
        Assert.That(cut.StandardError, Does.Contain("the next run does"));
        Assert.That(File.ReadAllText(Path.Combine(_dir, VersionsFile.Current)), Is.EqualTo("BACKEND_VERSION=0.2.4\n"), "half applied on disk");
        Assert.That(File.Exists(Path.Combine(_dir, DeployJournal.File)), Is.True);

        var read = ServerRecords.Parse(Run(ServerRecords.Read()).StandardOutput);
        Assert.That(read.Current["BACKEND_VERSION"], Is.EqualTo("0.2.4"));
        Assert.That(read.Journal, Is.Null, "read as committed: the journal's removal is part of it");
        Assert.That(Run(RemoteFiles.Tail(AuditEntry.File, 5)).StandardOutput, Is.EqualTo("{\"to\":\"0.2.3\"}\n{\"to\":\"0.2.4\"}\n"), "History reads it too");

        File.Delete(Path.Combine(_dir, "blocker"));
        var next = Run(RemoteFiles.Apply([FileChange.Append(AuditEntry.File, "{\"to\":\"next\"}\n")], "audit"));
        Assert.That(next.ExitCode, Is.Zero, next.StandardError);
        Assert.That(File.ReadAllText(Path.Combine(_dir, AuditEntry.File)), Is.EqualTo("{\"to\":\"0.2.3\"}\n{\"to\":\"0.2.4\"}\n{\"to\":\"next\"}\n"),
            "the cut-off commit is finished first, its audit line before the next");
        Assert.That(File.ReadAllText(Path.Combine(_dir, "blocker", "late")), Is.EqualTo("x"));
        Assert.That(File.Exists(Path.Combine(_dir, DeployJournal.File)), Is.False);
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(_dir, ".octavios"), "commit*"), Is.Empty);
    }

    /// <summary>A supervisor of <paramref name="owner"/>'s lock, its standard input the client's side of the connection.</summary>
    private System.Diagnostics.Process StartSupervisor(LockOwner owner, int lostSeconds)
    {
        var start = new System.Diagnostics.ProcessStartInfo("sh", ["-c", LockCommands.Supervise(owner.Token, lostSeconds, Path.Combine(_dir, "pids-*.pid")).ToShellLine()])
        {
            WorkingDirectory = _dir,
            RedirectStandardInput = true,
        };
        return System.Diagnostics.Process.Start(start)!;
    }

    /// <summary>A lock held by <paramref name="owner"/>, its change journaled with a repair that leaves a mark, and one of its commands still running.</summary>
    private void HoldWithJournaledChange(LockOwner owner)
    {
        Assert.That(Run(LockCommands.Take(owner.Token, owner.ToJson())).ExitCode, Is.Zero);
        File.WriteAllText(Path.Combine(_dir, DeployJournal.File), $"action=deploy\ntoken={owner.Token}\nservices=backend\n");
        File.WriteAllText(Path.Combine(_dir, LockCommands.RepairScript), "echo repaired > repaired\n");
        Shell.Run("sh", ["-c", "setsid sh -c 'echo $$ > pids-1.pid; exec sleep 60' > /dev/null 2>&1 &"], null, _dir);
    }

    private bool WaitFor(Func<bool> condition, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < within) Thread.Sleep(100);
        return condition();
    }

    [Test]
    public void TheServersSupervisorPutsALostClientsChangeBackAndReleasesTheLock()
    {
        var owner = Owner("deploy backend 0.2.3");
        HoldWithJournaledChange(owner);
        Assert.That(WaitFor(() => File.Exists(Path.Combine(_dir, "pids-1.pid")), TimeSpan.FromSeconds(5)), Is.True);
        var inFlight = int.Parse(File.ReadAllText(Path.Combine(_dir, "pids-1.pid")).Trim());
        using var supervisor = StartSupervisor(owner, lostSeconds: 30);
        for (var i = 0; i < 3; i++)
        {
            supervisor.StandardInput.WriteLine(LockCommands.Alive);
            Thread.Sleep(500);
        }

        Assert.That((File.Exists(Path.Combine(_dir, "repaired")), CrashSweep.LockHeld(_dir)), Is.EqualTo((false, true)), "a client that speaks is alive");
        supervisor.StandardInput.Close();
        Assert.That(WaitFor(() => !CrashSweep.LockHeld(_dir), TimeSpan.FromSeconds(6)), Is.True, "the connection ended: released within seconds");
        Assert.That(File.ReadAllText(Path.Combine(_dir, "repaired")), Is.EqualTo("repaired\n"), "the journaled change's repair ran");
        Assert.That(WaitFor(() => !Directory.Exists($"/proc/{inFlight}") || File.ReadAllText($"/proc/{inFlight}/stat").Contains(") Z ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(2)), Is.True, "the run's command still running was killed (gone, or a zombie nobody reaps here)");
        Assert.That(File.ReadAllText(Path.Combine(_dir, LockCommands.LostClientLog)), Does.Contain($"the client of lock.{owner.Token} is lost"));
        Assert.That(supervisor.WaitForExit(5_000), Is.True);
    }

    [Test]
    public void ASilentClientIsLostAfterItsSecondsOnTheServersUptimeAndAReleasedLockEndsTheSupervisorQuietly()
    {
        var silent = Owner("deploy backend 0.2.3");
        HoldWithJournaledChange(silent);
        using (var supervisor = StartSupervisor(silent, lostSeconds: 3))
        {
            Thread.Sleep(1_000);
            Assert.That(CrashSweep.LockHeld(_dir), Is.True);
            Assert.That(WaitFor(() => !CrashSweep.LockHeld(_dir), TimeSpan.FromSeconds(8)), Is.True, "no word for 3 s while the connection stays: lost");
            Assert.That(File.Exists(Path.Combine(_dir, "repaired")), Is.True);
            supervisor.StandardInput.Close();
        }

        File.Delete(Path.Combine(_dir, "repaired"));
        var done = Owner("deploy backend 0.2.4");
        HoldWithJournaledChange(done);
        using var quiet = StartSupervisor(done, lostSeconds: 3);
        quiet.StandardInput.WriteLine(LockCommands.Alive);
        Assert.That(Run(LockCommands.Release(done.Token)).ExitCode, Is.Zero);
        Assert.That(quiet.WaitForExit(5_000), Is.True, "the lock is no longer the run's: the supervisor ends");
        Assert.That(File.Exists(Path.Combine(_dir, "repaired")), Is.False, "and repairs nothing");
        Assert.That(File.Exists(Path.Combine(_dir, LockCommands.LostClientLog)), Is.True, "(the first one's log only)");
        Shell.Run("sh", ["-c", "kill -KILL -$(cat pids-1.pid) 2>/dev/null; true"], null, _dir);
    }

    [Test]
    public void TheRecordsAreReadInTheRoundTripThatTakesTheLockAndNotWhenItIsHeld()
    {
        Directory.CreateDirectory(Path.Combine(_dir, ".octavios"));
        File.WriteAllText(Path.Combine(_dir, VersionsFile.Current), "BACKEND_VERSION=0.2.2\n");
        var first = Owner("deploy backend 0.2.3");
        var taken = Run(LockCommands.Take(first.Token, first.ToJson()).Then(ServerRecords.Read()));
        Assert.That(taken.ExitCode, Is.Zero, taken.StandardError);
        Assert.That(ServerRecords.Parse(taken.StandardOutput).Current["BACKEND_VERSION"], Is.EqualTo("0.2.2"));
        Assert.That(LockOwner.Parse(File.ReadAllText(Path.Combine(_dir, ".octavios", $"lock.{first.Token}", "owner.json"))), Is.EqualTo(first),
            "standard input still reaches the lock's owner file");

        var second = Owner("deploy web 0.2.3");
        var held = Run(LockCommands.Take(second.Token, second.ToJson()).Then(ServerRecords.Read()));
        Assert.That(held.ExitCode, Is.EqualTo(LockCommands.Held));
        Assert.That(held.StandardOutput, Is.Empty, "nothing is read without the lock");
        Assert.Throws<ArgumentException>(() => ServerRecords.Read().Then(LockCommands.Take(second.Token, second.ToJson())), "the second command has no standard input");
    }

    [Test]
    public void UploadWritesEveryFileInOneCommandTheSecretOnlyThroughStandardInput()
    {
        File.WriteAllText(Path.Combine(_dir, ".env"), "OLD=1\n");
        Shell.Run("chmod", ["400", Path.Combine(_dir, ".env")]);
        var files = new Dictionary<string, string>
        {
            ["infra/a.yml"] = "services:\n  a: {image: 'x:$${V}'}\n",
            ["infra/sub/b.yml"] = "b: \"quoted\" & $(not run)\n",
            [".env"] = "SECRET_KEY=s3cr3t-&?!)\n",
        };
        var upload = RemoteFiles.Upload(files, ".env");
        Assert.That(upload.ToShellLine(), Does.Not.Contain("s3cr3t"), "the secret travels on standard input only");
        Assert.That(upload.Display(), Does.Contain("infra/a.yml (").And.Not.Contain("services:"), "file contents are shown by their length");

        var result = Run(upload);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        foreach (var (path, content) in files) Assert.That(File.ReadAllText(Path.Combine(_dir, path)), Is.EqualTo(content), path);
        Assert.That(Shell.Run("stat", ["-c", "%a", Path.Combine(_dir, ".env")]).StandardOutput.Trim(), Is.EqualTo("400"), "a tighter mode is kept");
        Assert.That(Directory.GetFiles(_dir, "*.tmp.*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void EveryRemoteCommandRunsUnderTimeoutAndCanBeKilledAsAGroup()
    {
        var pidFile = Path.Combine(_dir, "cmd.pid");
        var line = RemoteProcess.Wrap(_dir, "sh -c 'sleep 30; echo survived > survived' ; echo after", TimeSpan.FromSeconds(60), pidFile);
        var running = Task.Run(() => Shell.Run("sh", ["-c", line], null, "/"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(pidFile) && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        Assert.That(File.Exists(pidFile), Is.True);
        Assert.That(Run(RemoteProcess.Kill(pidFile)).ExitCode, Is.Zero);
        Assert.That(running.Wait(TimeSpan.FromSeconds(10)), Is.True, "the group died at once");
        Assert.That(File.Exists(Path.Combine(_dir, "survived")), Is.False);

        var overdue = Shell.Run("sh", ["-c", RemoteProcess.Wrap(_dir, "sleep 30", TimeSpan.FromSeconds(1), pidFile)], null, "/");
        Assert.That(overdue.ExitCode, Is.EqualTo(RemoteProcess.TimedOut));
        var missing = Shell.Run("sh", ["-c", RemoteProcess.Wrap(Path.Combine(_dir, "gone"), "true", TimeSpan.FromSeconds(5), pidFile)], null, "/");
        Assert.That(missing.ExitCode, Is.EqualTo(RemoteProcess.NoProjectDirectory));
        Assert.That(missing.StandardError, Does.Contain("does not exist"));
        var piped = Shell.Run("sh", ["-c", "echo hello | { " + RemoteProcess.Wrap(_dir, "cat", TimeSpan.FromSeconds(5), pidFile) + "; }"], null, "/");
        Assert.That(piped.StandardOutput.Trim(), Is.EqualTo("hello"), "standard input reaches the command");
    }
}
