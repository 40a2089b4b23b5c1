using Octavios.Deploy.Output;
using System.Text.Json;
using Octavios.Build.Tests.Support;
using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// The deploy sequence and its rollback, broken at every command in turn (fails, connection lost, timeout, SIGINT), on
/// the real engine with the example app; after each run and after the next run's reconciliation the invariant must
/// hold: backend runs exactly one version, healthy, the one versions.env names; its rollback target is the version
/// it ran before its last successful change; no lock, no journal, no temporary file; every audit line whole.
/// </summary>
[Category("EndToEnd")]
[NonParallelizable]
public class CrashAtEveryStepTests
{
    private ExampleApp _app = null!;
    private SuiteConfig _config = null!;
    private IReadOnlyDictionary<string, (string Id, string Image, string Health)> _neighbours = null!;

    [OneTimeSetUp]
    public void DeployAllOn022AndBuildTwoReleases()
    {
        _app = new ExampleApp("localhost:5999", push: false);
        // Quick health and no Compose probe keep each of the ~60 runs short; the probe is read-only, before any change.
        _app.Configure(ExampleApp.StableSetting, "stableSeconds: 0\n  drainSeconds: 0\n  lockStaleSeconds: 2");
        _app.Configure("  project: ", "  version: v1\n  project: ");
        var overlay = Path.Combine(_app.Directory, "infra", "docker-compose.production.yml");
        File.WriteAllText(overlay, File.ReadAllText(overlay).Replace("interval: 2s", "interval: 1s").Replace("start_period: 2s", "start_period: 1s"));
        _app.Commit("quick healthchecks");
        Run("--target=Deploy", "--services=all", "--version=0.2.2");
        File.AppendAllText(Path.Combine(_app.Directory, "apps", "backend", "www", "index.html"), "0.2.3\n");
        _app.Commit("backend 0.2.3");
        Run("--target=Tag", "--services=backend", "--version=0.2.3");
        File.AppendAllText(Path.Combine(_app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"echo crashing; exit 3\"]\n");
        _app.Commit("backend 0.2.4 crashes at start");
        Run("--target=Tag", "--services=backend", "--version=0.2.4");
        _config = ConfigLoader.Load(_app.ConfigPath);
        _neighbours = _app.Containers();
    }

    [OneTimeTearDown]
    public void RemoveApp() => _app.Dispose();

    private void Run(params string[] args)
    {
        var run = Shell.BuildScript(null, [$"--config={_app.ConfigPath}", .. args]);
        Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);
    }

    [Test]
    public async Task EveryInterruptionOfADeployOrItsRollbackEndsInTheInvariant()
    {
        var deploySequence = await RecordAsync("0.2.3");
        var rollbackSequence = await RecordAsync("0.2.4");
        var points = Points(deploySequence, from: 0).Select(p => ("0.2.3", p.Title, p.Occurrence))
            .Concat(Points(rollbackSequence, from: rollbackSequence.IndexOf("logs")).Select(p => ("0.2.4", p.Title, p.Occurrence)))
            .ToList();
        var violations = new List<string>();
        var covered = 0;
        foreach (var (version, title, occurrence) in points)
        {
            foreach (var fault in Enum.GetValues<Fault>())
            {
                var problem = await BreakAtAsync(version, title, occurrence, fault);
                covered++;
                if (problem is not null) violations.Add($"deploy {version}, {fault} at '{title}' #{occurrence}: {problem}");
            }
        }

        TestContext.Out.WriteLine($"injection points covered: {points.Count} commands x {Enum.GetValues<Fault>().Length} faults = {covered} " +
                                  $"({Points(deploySequence, 0).Count} in the deploy sequence, {points.Count - Points(deploySequence, 0).Count} in its rollback)");
        Assert.That(points.Count, Is.GreaterThanOrEqualTo(12), string.Join(", ", deploySequence));
        Assert.That(violations, Is.Empty);
    }

    /// <summary>The titles a clean run sends, from 0.2.2, in order.</summary>
    private async Task<List<string>> RecordAsync(string version)
    {
        await ResetAsync();
        var recorder = new RecordingRunner(Local());
        try
        {
            await Deployer(recorder).RunAsync(Request(version));
        }
        catch (DeployFailedException) when (version == "0.2.4")
        {
        }

        return recorder.Titles;
    }

    /// <summary>Each command of a sequence from <paramref name="from"/> on, once; only the first poll of each health wait.</summary>
    private static List<(string Title, int Occurrence)> Points(IReadOnlyList<string> titles, int from)
    {
        var seen = new Dictionary<string, int>();
        var points = new List<(string, int)>();
        var polled = false;
        for (var i = 0; i < titles.Count; i++)
        {
            var count = seen[titles[i]] = seen.GetValueOrDefault(titles[i]) + 1;
            if (titles[i] is "compose up" or "start the new container") polled = false;
            if (i < from || (titles[i] == "container state" && polled)) continue;
            if (titles[i] == "container state") polled = true;
            points.Add((titles[i], count));
        }

        return points;
    }

    private async Task<string?> BreakAtAsync(string version, string title, int occurrence, Fault fault)
    {
        await ResetAsync();
        var before = Records();
        using var interruption = new CancellationTokenSource();
        var broken = new RecordingRunner(Local(), (title, occurrence, fault), interruption);
        var said = new ListLog();
        try
        {
            await Deployer(broken, said).RunAsync(Request(version), interruption.Token);
        }
        catch (Exception error) when (error is not AssertionException)
        {
            // Any way the run ends is fair; what it leaves behind, and what it says of it, is what counts.
            said.Error(error.Message);
        }

        if (!broken.Injected) return "the injection point was never reached";
        var left = File.Exists(_app.StateFile(DeployJournal.File)) || _app.LockHeld();
        if (!left && Invariant(before, version) is { } early) return "right after the run: " + early;
        // A journal or a lock may stay only when the run said so, with what clears it.
        if (left && !said.Errors.Any(e => e.Contains("journal.env", StringComparison.Ordinal) || e.Contains("heartbeat", StringComparison.Ordinal)))
            return "a journal or lock was left without a word: " + string.Join(" | ", said.Errors.Select(e => e.Split('\n')[0]));

        var owner = LockOwner.Create("tests", "sweep", "reconcile");
        var clean = new RecordingRunner(Local());
        await using (await HeldLock.TakeAsync(clean, new NullLog(), _config.Deploy, owner, TimeSpan.FromSeconds(15), "unlock", CancellationToken.None))
        {
            await Deployer(clean).ReconcileAsync(owner, "local");
        }

        return Invariant(before, version) is { } late ? "after the next run: " + late : null;
    }

    private string? Invariant(Dictionary<string, string> previousBefore, string attempted)
    {
        Dictionary<string, (string Id, string Image, string Health)> containers;
        try
        {
            containers = new(_app.Containers());
        }
        catch (ArgumentException)
        {
            return "more than one container for a service";
        }

        var records = ServerRecords.Parse(Shell.Run("sh", ["-c", ServerRecords.Read().ToShellLine()], null, _app.Directory).StandardOutput);
        var running = containers["backend"].Image.Split(':')[^1];
        var recorded = records.Current.GetValueOrDefault("BACKEND_VERSION");
        if (running != recorded) return $"backend runs {running}, versions.env names {recorded}";
        if (containers["backend"].Health != "healthy") return $"backend is {containers["backend"].Health}";
        if (running is not ("0.2.2" or "0.2.3") || (attempted == "0.2.4" && running != "0.2.2")) return $"backend runs {running}";
        var target = records.Previous.GetValueOrDefault("BACKEND_VERSION");
        var expected = running == "0.2.3" ? "0.2.2" : previousBefore.GetValueOrDefault("BACKEND_VERSION");
        if (target != expected) return $"rollback target {target ?? "(none)"}, expected {expected ?? "(none)"}";
        foreach (var (service, container) in _neighbours.Where(n => n.Key != "backend"))
            if (containers[service].Id != container.Id) return $"{service} was recreated";
        if (records.Journal is not null) return "a journal is left";
        if (_app.LockHeld()) return "the lock is held";
        if (Directory.GetFiles(_app.StateFile(".octavios"), "*.tmp.*").Length > 0) return "a temporary file is left";
        foreach (var line in File.ReadAllLines(_app.StateFile(AuditEntry.File)))
        {
            try
            {
                JsonDocument.Parse(line).Dispose();
            }
            catch (JsonException)
            {
                return $"a damaged audit line: {line}";
            }
        }

        return null;
    }

    private Dictionary<string, string> Records() =>
        new(ServerRecords.Parse(Shell.Run("sh", ["-c", ServerRecords.Read().ToShellLine()], null, _app.Directory).StandardOutput).Previous);

    /// <summary>Back to backend 0.2.2, through the suite itself, when an earlier case left 0.2.3.</summary>
    private async Task ResetAsync()
    {
        var records = ServerRecords.Parse(Shell.Run("sh", ["-c", ServerRecords.Read().ToShellLine()], null, _app.Directory).StandardOutput);
        if (records.Current.GetValueOrDefault("BACKEND_VERSION") != "0.2.2")
            await Deployer(Local()).RunAsync(Request("0.2.2"));
    }

    private LocalCommandRunner Local() => new(_config.BaseDirectory, new NullLog(), new SecretMasker());

    private Deployer Deployer(ICommandRunner runner, IDeployLog? log = null) => new(_config, runner, Local(), log ?? new NullLog(), "envs/.env.local", pull: false);

    private static DeployRequest Request(string version) =>
        new("deploy", "local", ["backend"], new Dictionary<string, string> { ["BACKEND_VERSION"] = version }, new Dictionary<string, string>(),
            null, LockOwner.Create("tests", "sweep", $"deploy backend {version}"), TimeSpan.Zero, false, "unlock");
}
