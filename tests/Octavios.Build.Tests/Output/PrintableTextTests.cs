using Octavios.Build.Host;
using Octavios.Deploy.Output;

namespace Octavios.Build.Tests.Output;

public class PrintableTextTests
{
    [TestCase("backend\n::error::x", "backend\\n::error::x")]
    [TestCase("web\u001b[8m", "web\\x1b[8m")]
    [TestCase("a\rb\u0085c\u202ed\u0007", "a\\rb\\x85c\\u202ed\\x07")]
    [TestCase("plain name", "plain name")]
    public void InlineEscapesEveryControlCharacterVisibly(string text, string shown) =>
        Assert.That(PrintableText.Inline(text), Is.EqualTo(shown));

    [Test]
    public void LinesKeepTheirBreaksButNoLineStartsACommand()
    {
        var relayed = "started\n::error::forged\n  ::set-output name=x::y\n##[error]old style\nok :: fine";
        Assert.That(PrintableText.Lines(relayed), Is.EqualTo("started\n\\::error::forged\n  \\::set-output name=x::y\n\\##[error]old style\nok :: fine"));
    }

    [Test]
    public void ColourSequencesPassOnlyWhenAskedAndOnlyColours()
    {
        Assert.That(PrintableText.Lines("\u001b[32mok\u001b[0m \u001b]0;title\u0007", colours: true), Is.EqualTo("\u001b[32mok\u001b[0m \\x1b]0;title\\x07"));
        Assert.That(PrintableText.Lines("\u001b[32mok"), Is.EqualTo("\\x1b[32mok"));
    }

    [Test]
    public void WorkflowCommandsEscapeTheirDataAndProperties()
    {
        var line = WorkflowCommand.Format("error", [new("file", "infra/a,b:c.yml"), new("line", "3"), new("title", null)], "100% broken\n::error::forged\r");
        Assert.That(line, Is.EqualTo("::error file=infra/a%2Cb%3Ac.yml,line=3::100%25 broken%0A::error::forged%0D"));
        Assert.That(line.Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void TheGuardedWriterFiltersWholeLinesAndLetsOnlyItsOwnCommandsThrough()
    {
        var masker = new SecretMasker();
        masker.Add("a-secret-value");
        var inner = new StringWriter();
        var writer = new GuardedWriter(inner, new OutputFilter(t => PrintableText.Lines(masker.Mask(t)), l => PrintableText.Escape(masker.Mask(l), false)));
        writer.Write("value: a-sec");
        writer.Write("ret-value\n::warning::relayed\n");
        writer.WriteCommandLine("::group::Deploy a-secret-value");
        writer.Write("tail without a newline");
        Assert.That(inner.ToString(), Does.Not.Contain("tail"), "a partial line waits");
        writer.Flush();
        Assert.That(inner.ToString(), Is.EqualTo("value: ***\n\\::warning::relayed\n::group::Deploy ***\ntail without a newline"));
    }
}
