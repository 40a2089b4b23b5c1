using System.Globalization;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Octavios.Build.Host;

/// <summary>
/// Cake's task headers and summary as plain lines on Cake's console. Written by hand: Cake 7 ships only a Spectre table
/// printer (Cake.Cli), whose first table costs ~45 ms of JIT and measuring at every start; this one never wraps a
/// skip reason, so scripts can match a row whole.
/// </summary>
public sealed class PlainReportPrinter(IConsole console) : ICakeReportPrinter
{
    private const int Width = 80;

    public void WriteStep(string name, Verbosity verbosity)
    {
        if (verbosity < Verbosity.Normal) return;
        console.WriteLine("");
        console.WriteLine("{0}", new string('═', Width));
        console.WriteLine(" {0}", name);
        console.WriteLine("{0}", new string('═', Width));
    }

    public void WriteLifeCycleStep(string name, Verbosity verbosity) => WriteStep(name, verbosity);

    public void WriteSkippedStep(string name, Verbosity verbosity)
    {
    }

    public void Write(CakeReport report)
    {
        // Loops, not LINQ over tuples: each generic instantiation would be JIT-compiled at start.
        var rows = new List<Row>();
        var total = TimeSpan.Zero;
        int nameWidth = "Total:".Length, durationWidth = 0;
        var withReasons = false;
        foreach (var entry in report)
        {
            var skipped = entry.ExecutionStatus == CakeTaskExecutionStatus.Skipped;
            var row = new Row(entry.TaskName, skipped ? "-" : Format(entry.Duration), entry.ExecutionStatus,
                skipped ? entry.SkippedMessage ?? "" : "");
            rows.Add(row);
            total += entry.Duration;
            nameWidth = Math.Max(nameWidth, row.Task.Length);
            durationWidth = Math.Max(durationWidth, row.Duration.Length);
            withReasons |= row.Reason.Length > 0;
        }

        var widths = (Name: nameWidth + 2, Duration: Math.Max(durationWidth, Format(total).Length) + 3);
        console.WriteLine("");
        console.WriteLine("{0}", Line(widths, "Task", "Duration", "Status", withReasons ? "Skip Reason" : ""));
        console.WriteLine("{0}", new string('━', Width));
        foreach (var row in rows)
        {
            console.ForegroundColor = row.State switch
            {
                CakeTaskExecutionStatus.Failed => ConsoleColor.Red,
                CakeTaskExecutionStatus.Skipped => ConsoleColor.Gray,
                _ => ConsoleColor.Green,
            };
            console.WriteLine("{0}", Line(widths, row.Task, row.Duration, Status(row.State), row.Reason));
            console.ResetColor();
        }

        console.WriteLine("{0}", new string('━', Width));
        console.WriteLine("{0}", Line(widths, "Total:", Format(total), "", ""));
    }

    private sealed record Row(string Task, string Duration, CakeTaskExecutionStatus State, string Reason);

    private static string Line((int Name, int Duration) widths, string task, string duration, string status, string reason) =>
        ("  " + task.PadRight(widths.Name) + duration.PadRight(widths.Duration) + (reason.Length > 0 ? status.PadRight(12) + reason : status)).TrimEnd();

    private static string Format(TimeSpan duration) => duration.ToString("c", CultureInfo.InvariantCulture);

    private static string Status(CakeTaskExecutionStatus status) => status switch
    {
        CakeTaskExecutionStatus.Failed => "Failed",
        CakeTaskExecutionStatus.Skipped => "Skipped",
        _ => "Succeeded",
    };
}
