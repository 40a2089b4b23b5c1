using Octavios.Deploy.Commands;

namespace Octavios.Build.Tests.Commands;

public class CommandTests
{
    [TestCase("backend", "backend")]
    [TestCase("0.2.3", "0.2.3")]
    [TestCase("infra/docker-compose.yml", "infra/docker-compose.yml")]
    [TestCase("", "''")]
    [TestCase("two words", "'two words'")]
    [TestCase("it's", "'it'\\''s'")]
    [TestCase("$(id)", "'$(id)'")]
    [TestCase("a;b&c|d", "'a;b&c|d'")]
    [TestCase("`id`", "'`id`'")]
    [TestCase("YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)", "'YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)'")]
    [TestCase("/srv/my \"app\"", "'/srv/my \"app\"'")]
    [TestCase("line\nbreak", "'line\nbreak'")]
    [TestCase("BACKEND_VERSION=0.2.4\n", "'BACKEND_VERSION=0.2.4\n'")]
    public void QuotesForAPosixShell(string value, string expected) => Assert.That(ShellQuote.Quote(value), Is.EqualTo(expected));

    [Test]
    public void QuotedValuesSurviveARealShell()
    {
        string[] values = ["plain", "A=1\n", "it's", "$(touch /tmp/octavios-pwned)", "a b\tc", "&?!)", "\"q\"", "*", "~root", "-n"];
        foreach (var value in values)
        {
            var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", "printf %s " + ShellQuote.Quote(value)])
            {
                RedirectStandardOutput = true,
            })!;
            var echoed = shell.StandardOutput.ReadToEnd();
            shell.WaitForExit();
            Assert.That(echoed, Is.EqualTo(value));
        }

        Assert.That(File.Exists("/tmp/octavios-pwned"), Is.False);
    }

    [Test]
    public void DisplayMasksSecretArgumentsEnvironmentAndStandardInput()
    {
        var command = new Command("docker", ["run", CommandArg.Secret("--password=hunter2")])
        {
            Environment = new Dictionary<string, CommandArg> { ["TOKEN"] = CommandArg.Secret("t0ken"), ["MODE"] = "ci" },
            StandardInput = CommandArg.Secret("s3cret"),
        };
        var display = command.Display();
        Assert.That(display, Does.Not.Contain("hunter2").And.Not.Contain("t0ken").And.Not.Contain("s3cret"));
        Assert.That(display, Is.EqualTo("env TOKEN=*** MODE=ci docker run *** (stdin: ***)"));
        Assert.That(command.Secrets, Is.EquivalentTo(new[] { "--password=hunter2", "t0ken", "s3cret" }));
    }

    [Test]
    public void ShellLineQuotesEveryValueAndLeavesStandardInputOut()
    {
        var command = new Command("docker", ["compose", "--project-name", "my app"])
        {
            WorkingDirectory = "/srv/it's here",
            StandardInput = CommandArg.Secret("pw"),
        };
        Assert.That(command.ToShellLine(), Is.EqualTo("cd '/srv/it'\\''s here' && docker compose --project-name 'my app'"));
    }
}
