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
