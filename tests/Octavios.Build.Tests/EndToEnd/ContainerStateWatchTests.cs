using Octavios.Build.Tests.Support;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;
using Octavios.Deploy.Output;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>The health gate's state watch on the real engine: a container removed while watched, and docker itself failing.</summary>
[EndToEnd]
public class ContainerStateWatchTests
{
    private string _id = "";

    [OneTimeSetUp]
    public void StartOne() => _id = Shell.Docker("run", "-d", "--rm", "--label", "octavios.test=state-watch", "busybox:1.36", "sleep", "120");

    [OneTimeTearDown]
    public void RemoveIt() => Shell.Run("docker", ["rm", "-f", _id]);

    private static CommandResult Run(Command command, IReadOnlyDictionary<string, string>? environment = null) =>
        new LocalCommandRunner(SuiteRun.RepositoryRoot, new NullLog(), new SecretMasker())
            .TryRunAsync(environment is null ? command : command with { Environment = environment.ToDictionary(e => e.Key, e => new CommandArg(e.Value)) })
            .GetAwaiter().GetResult();

    [Test]
    public void AContainerWithoutAHealthcheckOrNotStartedYetIsReadAndOneRemovedSinceItWasNamedAnswersGone()
    {
        var created = Shell.Docker("create", "--health-cmd", "true", "busybox:1.36", "true");
        var removed = Shell.Docker("create", "busybox:1.36", "true");
        Shell.Docker("rm", removed);
        try
        {
            var answer = Run(DockerCommands.AwaitStateChange([_id, created, removed], "", 0));

            Assert.That(answer.ExitCode, Is.Zero, answer.StandardError);
            var lines = answer.StandardOutput.Trim().Split('\n');
            Assert.That(lines, Is.EqualTo(new[] { $"{_id} running none 0", $"{created} created none 0", $"{removed} gone none 0" }));
            Assert.That(ContainerHealthGate.Judge(lines[2].Split(' ', 2)[1]), Is.EqualTo((ContainerVerdict.Failed, "container was removed")));
        }
        finally
        {
            Shell.Run("docker", ["rm", "-f", created]);
        }
    }

    [Test]
    public void TheWatchAnswersWhenAStateChangesAndOnlyAtItsTimeOtherwise()
    {
        var seen = Run(DockerCommands.AwaitStateChange([_id], "", 0)).StandardOutput.TrimEnd('\n');
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var quiet = Run(DockerCommands.AwaitStateChange([_id], seen, 2));
        Assert.That((quiet.ExitCode, quiet.StandardOutput.TrimEnd('\n')), Is.EqualTo((0, seen)), quiet.StandardError);
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5)), "nothing changed: it waited its time");

        var exiting = Shell.Docker("run", "-d", "busybox:1.36", "sh", "-c", "sleep 2; exit 3");
        try
        {
            var running = Run(DockerCommands.AwaitStateChange([exiting], "", 0)).StandardOutput.TrimEnd('\n');
            Assert.That(running, Is.EqualTo($"{exiting} running none 0"));
            clock.Restart();
            var changed = Run(DockerCommands.AwaitStateChange([exiting], running, 60));
            Assert.That(changed.StandardOutput.TrimEnd('\n'), Is.EqualTo($"{exiting} exited none 0"), changed.StandardError);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "answered when the container exited, not at its time");
            Assert.That(Shell.Run("sh", ["-c", $"pgrep -f '[d]ocker events .*container={exiting}' || true"]).StandardOutput.Trim(), Is.Empty, "no watcher left behind");
        }
        finally
        {
            Shell.Run("docker", ["rm", "-f", exiting]);
        }
    }

    [Test]
    public void DockerFailingOtherwiseFailsTheWatchWithItsOwnWords()
    {
        var answer = Run(DockerCommands.AwaitStateChange([_id], "", 0), new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" });

        Assert.That(answer.ExitCode, Is.EqualTo(1));
        Assert.That(answer.StandardError, Does.Contain("Cannot connect to the Docker daemon"));
        var failure = new CommandFailedException("local", DockerCommands.AwaitStateChange([_id], "", 0), answer);
        Assert.That(failure.Message.Split('\n')[0], Does.Contain("container state failed with exit code 1: Cannot connect to the Docker daemon"),
            "the first line, which every summary keeps, says why");
    }
}
