using System.Diagnostics;
using NUnit.Framework.Interfaces;

[assembly: Octavios.Build.Tests.Support.FixtureTimer]

namespace Octavios.Build.Tests.Support;

/// <summary>
/// The wall time of each fixture, its one-time set-up and tear-down included, appended to the file that
/// OCTAVIOS_FIXTURE_TIMES names (test.sh prints the slowest ten at the end of the run).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class FixtureTimer : Attribute, ITestAction
{
    private static readonly Dictionary<string, Stopwatch> Running = new();

    public ActionTargets Targets => ActionTargets.Suite;

    public void BeforeTest(ITest test)
    {
        if (test.TypeInfo is null) return; // a namespace or the assembly
        lock (Running) Running[test.FullName] = Stopwatch.StartNew();
    }

    public void AfterTest(ITest test)
    {
        Stopwatch? clock;
        lock (Running)
            if (!Running.Remove(test.FullName, out clock)) return;
        if (Environment.GetEnvironmentVariable("OCTAVIOS_FIXTURE_TIMES") is not { Length: > 0 } file) return;
        lock (Running) File.AppendAllText(file, $"{clock.Elapsed.TotalSeconds:0.0}\t{test.FullName}\n");
    }
}
