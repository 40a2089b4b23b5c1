using System.Collections.Concurrent;
using System.Diagnostics;

namespace Octavios.Build.Tests.Support;

/// <summary>./build.sh started in the background, its output lines kept as they come, so a test can signal it at a chosen moment.</summary>
public sealed class RunningSuite : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<DateTime> _times = new();

    public RunningSuite(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Path.Combine(SuiteRun.RepositoryRoot, "build.sh"), args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = SuiteRun.RepositoryRoot,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public string Output => string.Join('\n', _lines);

    /// <summary>The longest time between two lines of output, from the start to the end of the run.</summary>
    public TimeSpan LongestSilence()
    {
        var times = _times.ToList();
        return times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _times.Enqueue(DateTime.UtcNow);
        _lines.Enqueue(line);
    }

    /// <summary>Waits (bounded) until a line contains the text; false when the run ended or the time ran out first.</summary>
    public bool WaitFor(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal))) return true;
            if (_process.HasExited) return false;
            Thread.Sleep(20);
        }

        return false;
    }

    /// <summary>Sends a signal to the suite (build.sh execs it: same process).</summary>
    public void Signal(string name) => Shell.Run("kill", [$"-{name}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Waits (bounded) for the run to end and returns its exit code.</summary>
    public int Exit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"the suite did not end within {timeout.TotalSeconds:0}s:\n{Output}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
