using System.Diagnostics;
using NUnit.Framework.Interfaces;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// The category of the end-to-end fixtures ("EndToEnd"), which also times each of them, one-time set-up and tear-down
/// included: the wall time goes to the file OCTAVIOS_FIXTURE_TIMES names (test.sh prints the slowest ten).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EndToEndAttribute : CategoryAttribute, ITestAction
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Stopwatch> Running = new();

    public ActionTargets Targets => ActionTargets.Suite;

    public void BeforeTest(ITest test)
    {
        lock (Gate) Running[test.FullName] = Stopwatch.StartNew();
    }

    public void AfterTest(ITest test)
    {
        lock (Gate)
        {
            if (!Running.Remove(test.FullName, out var clock)) return;
            if (Environment.GetEnvironmentVariable("OCTAVIOS_FIXTURE_TIMES") is { Length: > 0 } file)
                File.AppendAllText(file, $"{clock.Elapsed.TotalSeconds,7:0.0} s\t{test.Name}\n");
        }
    }
}
