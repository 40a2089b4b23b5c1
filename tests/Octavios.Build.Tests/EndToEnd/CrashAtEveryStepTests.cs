using Octavios.Deploy.Records;
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
[EndToEnd]
[NonParallelizable]
public class CrashAtEveryStepTests
{
    /// <summary>Cases run in lanes at once, each on its own copy of the app (its own Compose project) on the same engine.</summary>
    private const int Lanes = 2;

    private readonly List<Lane> _lanes = [];

    /// <summary>One copy of the app the sweep breaks runs on, with the containers the backend's deploy must not touch.</summary>
    private sealed record Lane(ExampleApp App, SuiteConfig Config, IReadOnlyDictionary<string, (string Id, string Image, string Health)> Neighbours);

    [OneTimeSetUp]
    public void DeployAllOn022AndBuildTwoReleases()
    {
        for (var i = 0; i < Lanes; i++)
        {
            var app = new ExampleApp("localhost:5999", push: false);
            // Quick health and no Compose probe keep each of the ~90 runs short; the probe is read-only, before any change.
            app.Configure(ExampleApp.StableSetting, "stableSeconds: 0\n  drainSeconds: 0\n  lockStaleSeconds: 2");
            app.Configure("  project: ", "  version: v1\n  project: ");
            // The backend checks itself every second; its neighbours, which the sweep never deploys, every 5 s (each check costs the engine an exec).
            var overlay = Path.Combine(app.Directory, "infra", "docker-compose.production.yml");
            var text = File.ReadAllText(overlay).Replace("interval: 2s", "interval: 5s");
            var backend = text.IndexOf("interval: 5s", StringComparison.Ordinal);
            File.WriteAllText(overlay, text[..backend] + "interval: 1s" + text[(backend + "interval: 5s".Length)..].Replace("start_period: 2s", "start_period: 1s"));
            app.Commit("quick healthchecks");
            Run(app, "--target=Deploy", "--services=all", "--version=0.2.2");
            if (i == 0)
            {
                // The images are the engine's: the other lanes deploy the same tags.
                File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "www", "index.html"), "0.2.3\n");
                app.Commit("backend 0.2.3");
                Run(app, "--target=Tag", "--services=backend", "--version=0.2.3");
                File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"echo crashing; exit 3\"]\n");
                app.Commit("backend 0.2.4 crashes at start");
                Run(app, "--target=Tag", "--services=backend", "--version=0.2.4");
            }

            _lanes.Add(new Lane(app, ConfigLoader.Load(app.ConfigPath), app.Containers()));
        }
    }

    [OneTimeTearDown]
    public void RemoveApps() => _lanes.ForEach(l => l.App.Dispose());

    private static void Run(ExampleApp app, params string[] args)
    {
        var run = Shell.BuildScript(null, [$"--config={app.ConfigPath}", .. args]);
        Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);
    }

    [Test]
    public async Task EveryInterruptionOfADeployOrItsRollbackEndsInTheInvariant()
    {
        var deploySequence = await RecordAsync(_lanes[0], "0.2.3");
        var rollbackSequence = await RecordAsync(_lanes[0], "0.2.4");
        var points = Points(deploySequence, from: 0).Select(p => ("0.2.3", p.Title, p.Occurrence))
            .Concat(Points(rollbackSequence, from: rollbackSequence.IndexOf("logs")).Select(p => ("0.2.4", p.Title, p.Occurrence)))
            .ToList();
        var cases = points.SelectMany(p => Enum.GetValues<Fault>().Select(fault => (Version: p.Item1, Title: p.Item2, Occurrence: p.Item3, Fault: fault))).ToList();
        var violations = new List<string>();
        await Task.WhenAll(_lanes.Select((lane, i) => Task.Run(async () =>
        {
            foreach (var (version, title, occurrence, fault) in cases.Where((_, c) => c % Lanes == i))
            {
                var problem = await BreakAtAsync(lane, version, title, occurrence, fault);
                if (problem is not null)
                    lock (violations) violations.Add($"deploy {version}, {fault} at '{title}' #{occurrence}: {problem}");
            }
        })));

        TestContext.Out.WriteLine($"injection points covered: {points.Count} commands x {Enum.GetValues<Fault>().Length} faults = {cases.Count} " +
                                  $"({Points(deploySequence, 0).Count} in the deploy sequence, {points.Count - Points(deploySequence, 0).Count} in its rollback), in {Lanes} lanes");
        Assert.That(points.Count, Is.GreaterThanOrEqualTo(12), string.Join(", ", deploySequence));
        Assert.That(violations, Is.Empty);
    }

    /// <summary>The titles a clean run sends, from 0.2.2, in order.</summary>
    private static async Task<List<string>> RecordAsync(Lane lane, string version)
    {
        await ResetAsync(lane);
        var recorder = new RecordingRunner(Local(lane));
        try
        {
            await Deployer(lane, recorder).RunAsync(Request(lane, version));
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

    private static async Task<string?> BreakAtAsync(Lane lane, string version, string title, int occurrence, Fault fault)
    {
        await ResetAsync(lane);
        var before = Records(lane);
        using var interruption = new CancellationTokenSource();
        var broken = new RecordingRunner(Local(lane), (title, occurrence, fault), interruption);
        var said = new ListLog();
        try
        {
            await Deployer(lane, broken, said).RunAsync(Request(lane, version), interruption.Token);
        }
        catch (Exception error) when (error is not AssertionException)
        {
            // Any way the run ends is fair; what it leaves behind, and what it says of it, is what counts.
            said.Error(error.Message);
        }

        if (!broken.Injected) return "the injection point was never reached";
        var left = File.Exists(lane.App.StateFile(DeployJournal.File)) || lane.App.LockHeld();
        if (!left && Invariant(lane, before, version) is { } early) return "right after the run: " + early;
        // A journal or a lock may stay only when the run said so, with what clears it.
        if (left && !said.Errors.Any(e => e.Contains("journal.env", StringComparison.Ordinal) || e.Contains("heartbeat", StringComparison.Ordinal)))
            return "a journal or lock was left without a word: " + string.Join(" | ", said.Errors.Select(e => e.Split('\n')[0]));

        var owner = LockOwner.Create("tests", "sweep", "reconcile");
        var clean = new RecordingRunner(Local(lane));
        await using (await HeldLock.TakeAsync(clean, new NullLog(), lane.Config.Deploy, owner, TimeSpan.FromSeconds(15), "unlock", CancellationToken.None))
        {
            await Deployer(lane, clean).ReconcileAsync(owner, "local");
        }

        return Invariant(lane, before, version) is { } late ? "after the next run: " + late : null;
    }

    private static string? Invariant(Lane lane, Dictionary<string, string> previousBefore, string attempted)
    {
        Dictionary<string, (string Id, string Image, string Health)> containers;
        try
        {
            containers = new(lane.App.Containers());
        }
        catch (ArgumentException)
        {
            return "more than one container for a service";
        }

        var records = ReadRecords(lane);
        var running = containers["backend"].Image.Split(':')[^1];
        var recorded = records.Current.GetValueOrDefault("BACKEND_VERSION");
        if (running != recorded) return $"backend runs {running}, versions.env names {recorded}";
        if (containers["backend"].Health != "healthy") return $"backend is {containers["backend"].Health}";
        if (running is not ("0.2.2" or "0.2.3") || (attempted == "0.2.4" && running != "0.2.2")) return $"backend runs {running}";
        var target = records.Previous.GetValueOrDefault("BACKEND_VERSION");
        var expected = running == "0.2.3" ? "0.2.2" : previousBefore.GetValueOrDefault("BACKEND_VERSION");
        if (target != expected) return $"rollback target {target ?? "(none)"}, expected {expected ?? "(none)"}";
        foreach (var (service, container) in lane.Neighbours.Where(n => n.Key != "backend"))
            if (containers[service].Id != container.Id) return $"{service} was recreated";
        if (records.Journal is not null) return "a journal is left";
        if (lane.App.LockHeld()) return "the lock is held";
        if (Directory.GetFiles(lane.App.StateFile(".octavios"), "*.tmp.*").Length > 0) return "a temporary file is left";
        foreach (var line in File.ReadAllLines(lane.App.StateFile(AuditEntry.File)))
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

    private static ServerRecords ReadRecords(Lane lane) =>
        ServerRecords.Parse(Shell.Run("sh", ["-c", ServerRecords.Read().ToShellLine()], null, lane.App.Directory).StandardOutput);

    private static Dictionary<string, string> Records(Lane lane) => new(ReadRecords(lane).Previous);

    /// <summary>Back to backend 0.2.2, through the suite itself, when an earlier case left 0.2.3.</summary>
    private static async Task ResetAsync(Lane lane)
    {
        if (ReadRecords(lane).Current.GetValueOrDefault("BACKEND_VERSION") != "0.2.2")
            await Deployer(lane, Local(lane)).RunAsync(Request(lane, "0.2.2"));
    }

    private static LocalCommandRunner Local(Lane lane) => new(lane.Config.BaseDirectory, new NullLog(), new SecretMasker());

    private static DeployTransaction Deployer(Lane lane, ICommandRunner runner, IDeployLog? log = null) =>
        new(lane.Config, new ComposeApplier(lane.Config, new Octavios.Deploy.Compose.ComposeFileSet(lane.Config), runner, log ?? new NullLog(), "envs/.env.local", pull: false), runner, Local(lane), log ?? new NullLog(), "envs/.env.local");

    private static DeployRequest Request(Lane lane, string version) =>
        new("deploy", "local", SelectedService.Of(lane.Config, ["backend"]), new Dictionary<string, string> { ["BACKEND_VERSION"] = version }, new Dictionary<string, string>(),
            null, LockOwner.Create("tests", "sweep", $"deploy backend {version}"), TimeSpan.Zero, false, "unlock");
}
