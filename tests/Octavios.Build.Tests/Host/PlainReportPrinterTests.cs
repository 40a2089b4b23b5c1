using Cake.Core;
using Cake.Core.Diagnostics;
using Octavios.Build.Host;

namespace Octavios.Build.Tests.Host;

public class PlainReportPrinterTests
{
    [Test]
    public void EachTaskIsOneRowWithItsWholeSkipReasonAndTheTotalAddsTheDurations()
    {
        var console = new LinesConsole();
        var report = new CakeReport();
        report.Add("Detect", "--services names the services, nothing to detect; a reason longer than any column would be",
            CakeReportEntryCategory.Task, TimeSpan.Zero, CakeTaskExecutionStatus.Skipped);
        report.Add("Validate", "", CakeReportEntryCategory.Task, TimeSpan.FromMilliseconds(1250), CakeTaskExecutionStatus.Executed);
        report.Add("Deploy", "", CakeReportEntryCategory.Task, TimeSpan.FromMilliseconds(500), CakeTaskExecutionStatus.Failed);

        new PlainReportPrinter(console).Write(report);

        Assert.That(console.Lines, Does.Contain("  Task      Duration           Status      Skip Reason"));
        Assert.That(console.Lines, Does.Contain(
            "  Detect    -                  Skipped     --services names the services, nothing to detect; a reason longer than any column would be"));
        Assert.That(console.Lines, Does.Contain("  Validate  00:00:01.2500000   Succeeded"));
        Assert.That(console.Lines, Does.Contain("  Deploy    00:00:00.5000000   Failed"));
        Assert.That(console.Lines, Does.Contain("  Total:    00:00:01.7500000"));
    }

    [Test]
    public void WithoutASkippedTaskThereIsNoReasonColumn()
    {
        var console = new LinesConsole();
        var report = new CakeReport();
        report.Add("Default", "", CakeReportEntryCategory.Task, TimeSpan.FromMilliseconds(3), CakeTaskExecutionStatus.Executed);

        new PlainReportPrinter(console).Write(report);

        Assert.That(console.Lines, Does.Contain("  Task     Duration           Status"));
        Assert.That(console.Lines, Does.Contain("  Default  00:00:00.0030000   Succeeded"));
    }

    [Test]
    public void AStepHeaderIsWrittenFromNormalVerbosityOnly()
    {
        var console = new LinesConsole();
        var printer = new PlainReportPrinter(console);

        printer.WriteStep("Quietly", Verbosity.Minimal);
        printer.WriteStep("Deploy", Verbosity.Normal);

        Assert.That(console.Lines, Is.EqualTo(new[] { "", new string('═', 80), " Deploy", new string('═', 80) }));
    }

    private sealed class LinesConsole : IConsole
    {
        public List<string> Lines { get; } = [];

        public ConsoleColor ForegroundColor { get; set; }

        public ConsoleColor BackgroundColor { get; set; }

        public bool SupportAnsiEscapeCodes => false;

        public void Write(string format, params object[] arg) => throw new NotSupportedException("rows are whole lines");

        public void WriteLine(string format, params object[] arg) => Lines.Add(string.Format(format, arg));

        public void WriteError(string format, params object[] arg) => throw new NotSupportedException();

        public void WriteErrorLine(string format, params object[] arg) => throw new NotSupportedException();

        public void ResetColor()
        {
        }
    }
}
