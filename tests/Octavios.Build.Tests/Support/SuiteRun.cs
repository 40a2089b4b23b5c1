using System.Text.RegularExpressions;
using Spectre.Console;

namespace Octavios.Build.Tests.Support;

/// <summary>Runs the suite's own host in this process and captures everything it writes.</summary>
public static partial class SuiteRun
{
    private static readonly Lock ConsoleGate = new();

    public static string RepositoryRoot { get; } = FindRoot();

    public static string ExampleConfig => Path.Combine(RepositoryRoot, "examples", "octavios", "octavios.build.yml");

    public static (int ExitCode, string Output) Run(params string[] args)
    {
        lock (ConsoleGate)
        {
            var writer = new StringWriter();
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer),
            });
            var (originalOut, originalError) = (Console.Out, Console.Error);
            Console.SetOut(writer);
            Console.SetError(writer);
            try
            {
                var code = Suite.CreateHost().UseConsole(console).Run(args);
                return (code, writer.ToString());
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
            }
        }
    }

    /// <summary>The tasks in the order Cake's report lists them, with their status.</summary>
    public static IReadOnlyList<(string Task, string Status)> Report(string output) =>
        ReportLine().Matches(output).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    [GeneratedRegex(@"^\s{2}(\w+)\s+(?:-|[\d:.]+)\s+(Succeeded|Skipped|Failed)", RegexOptions.Multiline)]
    private static partial Regex ReportLine();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Octavios.Build.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Octavios.Build.sln not found above the test binaries.");
    }
}
