using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Records;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// One kind of target the crash sweep breaks (a Compose host, a fleet, a Swarm): a deploy of backend with the swept
/// runner wrapped, what the next run does first, and the invariant that must hold after each.
/// </summary>
public interface ISweepRig
{
    /// <summary>Backend on 0.2.2 everywhere, through the suite itself, when an earlier case left another version.</summary>
    Task ResetAsync();

    /// <summary>Each target's recorded rollback target of backend, before a case.</summary>
    IReadOnlyDictionary<string, string?> RollbackTargets();

    /// <summary>A deploy of backend to <paramref name="version"/>, the swept target's commands through <paramref name="wrap"/>.</summary>
    Task DeployAsync(string version, Func<ICommandRunner, ICommandRunner> wrap, IDeployLog log, CancellationToken cancellation);

    /// <summary>A journal or a lock is left on some target.</summary>
    bool LeftSomething();

    /// <summary>What the next run does first on every target, under its lock: finish or undo what the last one left.</summary>
    Task ReconcileAsync();

    /// <summary>What is wrong now, or null; <paramref name="before"/>: <see cref="RollbackTargets"/> before the case.</summary>
    string? Invariant(IReadOnlyDictionary<string, string?> before, string attempted);

    /// <summary>Every record and the ID of every container on the swept target: what a run that lost its lock there must not change.</summary>
    string Snapshot();

    /// <summary>Another run takes the swept target's lock over (its holder looked dead); <see cref="EndTakeoverAsync"/> releases it.</summary>
    Task TakeOverAsync();

    Task EndTakeoverAsync();
}

/// <summary>A deploy of <see cref="Version"/> broken by <see cref="Fault"/> at the <see cref="Occurrence"/>-th command titled <see cref="Title"/>.</summary>
public sealed record SweepCase(string Version, string Title, int Occurrence, Fault Fault)
{
    public override string ToString() => $"deploy {Version}, {Fault} at '{Title}' #{Occurrence}";
}

/// <summary>The sweep itself, the same for every kind: record a clean run's commands, then break each in turn and check what is left.</summary>
public static class CrashSweep
{
    /// <summary>
    /// The lab kinds' whole sweep, for a run of its own (a fleet or Swarm case takes ~40 s here): OCTAVIOS_FULL_SWEEP=1,
    /// every fault at every point; =turns, every point once, the faults in turn. Otherwise the faults take turns along
    /// the points and a lab kind runs a spread sample of them.
    /// </summary>
    public static bool EveryFault => Environment.GetEnvironmentVariable("OCTAVIOS_FULL_SWEEP") == "1";

    /// <summary>At most <paramref name="most"/> of the cases, spread evenly over them; all of them in a full sweep.</summary>
    /// <remarks>OCTAVIOS_SWEEP_ONLY=TEXT keeps the cases whose description holds TEXT (a fault, a step): to run again what failed.</remarks>
    public static List<SweepCase> Sample(IReadOnlyList<SweepCase> cases, int most)
    {
        var only = Environment.GetEnvironmentVariable("OCTAVIOS_SWEEP_ONLY");
        if (!string.IsNullOrEmpty(only)) return cases.Where(c => c.ToString().Contains(only, StringComparison.Ordinal)).ToList();
        return Environment.GetEnvironmentVariable("OCTAVIOS_FULL_SWEEP") is "1" or "turns" || cases.Count <= most
            ? cases.ToList()
            : Enumerable.Range(0, most).Select(i => cases[i * cases.Count / most]).ToList();
    }

    /// <summary>The titles a clean run from 0.2.2 sends to the swept target, in order (a deploy expected to fail may fail).</summary>
    public static async Task<List<string>> RecordAsync(ISweepRig rig, string version, bool mayFail = false)
    {
        await rig.ResetAsync();
        RecordingRunner? recorder = null;
        try
        {
            await rig.DeployAsync(version, inner => recorder = new RecordingRunner(inner), new NullLog(), CancellationToken.None);
        }
        catch (Exception) when (mayFail)
        {
        }

        return recorder?.Titles ?? throw new InvalidOperationException("the deploy never reached the swept target");
    }

    /// <summary>
    /// Each command of a sequence from <paramref name="from"/> on, once; of a wait's polls (<paramref name="polls"/>) only
    /// the first, until a command of <paramref name="waitStarts"/> begins another wait.
    /// </summary>
    public static List<(string Title, int Occurrence)> Points(IReadOnlyList<string> titles, int from, ISet<string> polls, ISet<string> waitStarts)
    {
        var seen = new Dictionary<string, int>();
        var points = new List<(string, int)>();
        var polled = new HashSet<string>();
        for (var i = 0; i < titles.Count; i++)
        {
            var count = seen[titles[i]] = seen.GetValueOrDefault(titles[i]) + 1;
            if (waitStarts.Contains(titles[i])) polled.Clear();
            if (i < from || (polls.Contains(titles[i]) && !polled.Add(titles[i]))) continue;
            points.Add((titles[i], count));
        }

        return points;
    }

    /// <summary>A Compose host's points: of each health wait only its first poll.</summary>
    public static List<(string Title, int Occurrence)> ComposePoints(IReadOnlyList<string> titles, int from) =>
        Points(titles, from, new HashSet<string> { "container state" }, new HashSet<string> { "compose up", "start the new container" });

    /// <summary>
    /// The points of a deploy to 0.2.3 and of the undo of one to 0.2.4 (from its first log read, where the two part),
    /// each with the version of its deploy.
    /// </summary>
    public static List<(string Version, string Title, int Occurrence)> DeployAndUndoPoints(IReadOnlyList<string> deploy, IReadOnlyList<string> failing) =>
        ComposePoints(deploy, 0).Select(p => ("0.2.3", p.Title, p.Occurrence))
            .Concat(ComposePoints(failing, failing.ToList().IndexOf("logs")).Select(p => ("0.2.4", p.Title, p.Occurrence)))
            .ToList();

    /// <summary>Every fault at every point (<see cref="EveryFault"/>), or one fault per point, the four taking turns.</summary>
    public static List<SweepCase> Cases(IEnumerable<(string Version, string Title, int Occurrence)> points, bool everyFault)
    {
        var faults = Enum.GetValues<Fault>();
        return everyFault
            ? points.SelectMany(p => faults.Select(f => new SweepCase(p.Version, p.Title, p.Occurrence, f))).ToList()
            : points.Select((p, i) => new SweepCase(p.Version, p.Title, p.Occurrence, faults[i % faults.Length])).ToList();
    }

    /// <summary>The cases spread over the lanes (rigs on targets of their own), each lane's in turn; what went wrong, by case.</summary>
    public static async Task<List<string>> RunAsync(IReadOnlyList<ISweepRig> lanes, IReadOnlyList<SweepCase> cases)
    {
        var violations = new List<string>();
        await Task.WhenAll(lanes.Select((lane, i) => Task.Run(async () =>
        {
            foreach (var sweepCase in cases.Where((_, c) => c % lanes.Count == i))
            {
                var problem = await BreakAtAsync(lane, sweepCase);
                if (problem is not null)
                    lock (violations) violations.Add($"{sweepCase}: {problem}");
            }
        })));
        return violations;
    }

    private static async Task<string?> BreakAtAsync(ISweepRig rig, SweepCase at)
    {
        await rig.ResetAsync();
        var before = rig.RollbackTargets();
        using var interruption = new CancellationTokenSource();
        RecordingRunner? broken = null;
        var said = new ListLog();
        string? takenOver = null;
        async Task TakeOverAsync()
        {
            await rig.TakeOverAsync();
            takenOver = rig.Snapshot();
        }

        try
        {
            await rig.DeployAsync(at.Version, inner => broken = new RecordingRunner(inner, (at.Title, at.Occurrence, at.Fault), interruption, TakeOverAsync), said,
                interruption.Token);
        }
        catch (Exception error) when (error is not AssertionException)
        {
            // Any way the run ends is fair; what it leaves behind, and what it says of it, is what counts.
            said.Error(error.Message);
        }

        if (broken is not { Injected: true }) return "the injection point was never reached";
        if (takenOver is not null)
        {
            // The resumed run found its lock gone: it changed nothing; the run that took the lock over then ends.
            if (rig.Snapshot() != takenOver) return "the resumed run changed the server after its lock was taken over:\n" + takenOver + "\n---\n" + rig.Snapshot();
            await rig.EndTakeoverAsync();
        }

        var left = rig.LeftSomething();
        if (!left && rig.Invariant(before, at.Version) is { } early)
            return $"right after the run: {early} (it said: {string.Join(" | ", said.Errors.Select(e => e.Split('\n')[0]))})";
        // A journal or a lock may stay only when the run said so, with what clears it.
        if (left && !said.Errors.Any(e => e.Contains(DeployJournal.File, StringComparison.Ordinal) || e.Contains("heartbeat", StringComparison.Ordinal) ||
                                          e.Contains("no longer this run's", StringComparison.Ordinal)))
            return "a journal or lock was left without a word: " + string.Join(" | ", said.Errors.Select(e => e.Split('\n')[0]));

        await rig.ReconcileAsync();
        return rig.Invariant(before, at.Version) is { } late ? "after the next run: " + late : null;
    }

    /// <summary>The records in a project directory of this machine (a lab host's is one), read as the suite reads them.</summary>
    public static ServerRecords Records(string projectDirectory) =>
        ServerRecords.Parse(Shell.Run("sh", ["-c", ServerRecords.Read().ToShellLine()], null, projectDirectory).StandardOutput);

    /// <summary>Every container of a Compose project on an engine (<paramref name="docker"/>: its CLI), by ID, service and state.</summary>
    /// <remarks>A crash-looping container (a failed release left behind) flips between restarting and running by itself: both read "up".</remarks>
    public static string ContainerIds(Func<string[], string> docker, string project) =>
        string.Join('\n', docker(["ps", "--all", "--filter", $"label=com.docker.compose.project={project}", "--format", "{{.ID}} {{.Label \"com.docker.compose.service\"}} {{.State}}"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.EndsWith(" restarting", StringComparison.Ordinal) || line.EndsWith(" running", StringComparison.Ordinal)
                ? line[..line.LastIndexOf(' ')] + " up" : line).Order(StringComparer.Ordinal));

    /// <summary>Whether the deploy lock (a symbolic link) exists in a project directory.</summary>
    public static bool LockHeld(string projectDirectory) =>
        new FileInfo(Path.Combine(projectDirectory, LockCommands.Link)) is { } link && (link.Exists || link.LinkTarget is not null);

    /// <summary>
    /// The invariant on one Compose host: backend runs exactly one version, healthy, the one versions.env names (0.2.2
    /// after a failed 0.2.4); its rollback target is what it ran before its last successful change; the neighbours
    /// were not recreated; no lock, no journal, no temporary file; every audit line whole.
    /// </summary>
    public static string? HostInvariant(string projectDirectory, Func<IReadOnlyDictionary<string, (string Id, string Image, string Health)>> containersNow,
        IReadOnlyDictionary<string, (string Id, string Image, string Health)> neighbours, string? rollbackTargetBefore, string attempted)
    {
        IReadOnlyDictionary<string, (string Id, string Image, string Health)> containers;
        try
        {
            containers = containersNow();
        }
        catch (ArgumentException)
        {
            return "more than one container for a service";
        }

        var records = Records(projectDirectory);
        if (!containers.TryGetValue("backend", out var backend)) return "no backend container";
        var running = backend.Image.Split(':')[^1];
        var recorded = records.Current.GetValueOrDefault("BACKEND_VERSION");
        if (running != recorded) return $"backend runs {running}, versions.env names {recorded}";
        if (backend.Health != "healthy") return $"backend is {backend.Health}";
        if (running is not ("0.2.2" or "0.2.3") || (attempted == "0.2.4" && running != "0.2.2")) return $"backend runs {running}";
        var target = records.Previous.GetValueOrDefault("BACKEND_VERSION");
        var expected = running == "0.2.3" ? "0.2.2" : rollbackTargetBefore;
        if (target != expected) return $"rollback target {target ?? "(none)"}, expected {expected ?? "(none)"}";
        foreach (var (service, container) in neighbours.Where(n => n.Key != "backend"))
            if (!containers.TryGetValue(service, out var now) || now.Id != container.Id) return $"{service} was recreated";
        return RecordsInvariant(projectDirectory, records);
    }

    /// <summary>No journal, no lock, no temporary file, every audit line whole: the records' part of the invariant, on every kind.</summary>
    public static string? RecordsInvariant(string projectDirectory, ServerRecords records)
    {
        if (records.Journal is not null) return "a journal is left";
        if (LockHeld(projectDirectory)) return "the lock is held";
        if (Directory.GetFiles(Path.Combine(projectDirectory, ".octavios"), "*.tmp.*").Length > 0) return "a temporary file is left";
        foreach (var line in File.ReadAllLines(Path.Combine(projectDirectory, AuditEntry.File)))
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
}
