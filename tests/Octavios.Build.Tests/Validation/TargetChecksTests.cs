using Octavios.Deploy.Output;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Validation;
using Octavios.Deploy.Validation.Checks;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Validation;

/// <summary>server.* checks run on this machine through the real local runner; a scripted runner stands in only where a tool must be absent.</summary>
[NonParallelizable]
public class TargetChecksTests
{

    /// <summary>Answers every command with success, except the programs it is told are missing.</summary>
    private sealed class MissingToolsRunner(params string[] missing) : ICommandRunner
    {
        public string Target => "scripted";
        public bool IsDryRun => false;

        public Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default) =>
            Task.FromResult(command.Title == ComposeCommands.Detect().Title
                ? new CommandResult(0, missing.Contains("docker compose") && missing.Contains("docker-compose") ? "none\n" : "v2\n", "")
                : missing.Contains(command.Program) || (command.Args.Count > 0 && missing.Contains($"{command.Program} {command.Args[0].Value}"))
                ? new CommandResult(127, "", "not found")
                : new CommandResult(0, command.Program == "df" ? "Filesystem 1K Used Avail Capacity Mounted\n/dev/x 100 50 50 50% /\n" : "/var/lib/docker\n", ""));
    }

    private string _dir = "";

    [SetUp]
    public void Project()
    {
        _dir = Directory.CreateTempSubdirectory("octavios-target-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "envs"));
        File.WriteAllText(Path.Combine(_dir, "envs", ".env.prod"), "A=1\n");
    }

    [TearDown]
    public void Remove() => Directory.Delete(_dir, true);

    private static IReadOnlyList<Finding> Run(ICommandRunner runner, string? envFile = "envs/.env.prod", int minFree = 0) =>
        TargetChecks.RunAsync(runner, envFile, minFree, null, new NullLog()).GetAwaiter().GetResult();

    private ICommandRunner Local(string? dir = null) => new LocalCommandRunner(dir ?? _dir, new NullLog(), new SecretMasker());

    private static string[] Errors(IEnumerable<Finding> findings) => findings.Where(f => f.Severity == Severity.Error).Select(f => f.Check).ToArray();

    [Test]
    public void QuietOnThisMachine()
    {
        var findings = Run(Local());
        Assert.That(Errors(findings), Is.Empty, string.Join("\n", findings));
        Assert.That(findings.Select(f => f.Check), Does.Contain("server.disk").And.Contain("server.compose"));
    }

    [Test]
    public void ProjectDirectoryFires() =>
        Assert.That(Errors(Run(Local(Path.Combine(_dir, "missing")))), Is.EqualTo(new[] { "server.project-dir" }));

    [Test]
    public void EnvFileFires() => Assert.That(Errors(Run(Local(), "envs/.env.missing")), Is.EqualTo(new[] { "server.env-file" }));

    [Test]
    public void DiskFiresBelowTheThreshold() => Assert.That(Errors(Run(Local(), minFree: 101)), Is.EqualTo(new[] { "server.disk" }));

    [Test]
    public void DockerFiresWhenTheEngineDoesNotAnswer() =>
        Assert.That(Errors(Run(new MissingToolsRunner("docker version"))), Is.EqualTo(new[] { "server.docker" }));

    [Test]
    public void ComposeFiresWhenNeitherVersionIsInstalled() =>
        Assert.That(Errors(Run(new MissingToolsRunner("docker compose", "docker-compose"))), Is.EqualTo(new[] { "server.compose" }));
}

/// <summary>compose.cli and compose.parse against the real Compose CLI and the example's files.</summary>
[NonParallelizable]
public class ComposeCliCheckTests
{

    private static IEnumerable<Finding> Run(Octavios.Deploy.Configuration.SuiteConfig config)
    {
        var envFile = new Octavios.Deploy.EnvFiles.LoadedEnvFile("env", Octavios.Deploy.EnvFiles.DotEnvReader.ReadFile(
            Path.Combine(config.BaseDirectory, "envs", ".env.local"), _ => null));
        return ComposeCliCheck.RunAsync(new LocalCommandRunner(config.BaseDirectory, new NullLog(), new SecretMasker()), config, envFile,
            new Dictionary<string, string> { ["REGISTRY"] = "r", ["NAMESPACE"] = "n" }, new NullLog()).GetAwaiter().GetResult();
    }

    [Test]
    public void QuietOnTheExample()
    {
        var config = Octavios.Deploy.Configuration.ConfigLoader.Load(SuiteRun.ExampleConfig);
        Assert.That(Run(config).Single().Severity, Is.EqualTo(Severity.Info));
        Assert.That(Octavios.Deploy.Compose.ComposeFile.Parse("x", File.ReadAllText(Path.Combine(config.BaseDirectory, "infra", "docker-compose.yml"))).Services.Count(), Is.EqualTo(6));
    }

    [Test]
    public void FiresOnAnOptionComposeDoesNotKnow()
    {
        var copy = Directory.CreateTempSubdirectory("octavios-cli-").FullName;
        foreach (var dir in new[] { "infra", "envs" })
        {
            Directory.CreateDirectory(Path.Combine(copy, dir));
            foreach (var file in Directory.GetFiles(Path.Combine(Path.GetDirectoryName(SuiteRun.ExampleConfig)!, dir)))
                File.Copy(file, Path.Combine(copy, dir, Path.GetFileName(file)));
        }

        File.AppendAllText(Path.Combine(copy, "infra", "docker-compose.production.yml"), "  web:\n    restrat: always\n");
        var config = Octavios.Deploy.Configuration.ConfigLoader.Load(SuiteRun.ExampleConfig);
        config.BaseDirectory = copy;
        var finding = Run(config).Single();
        Assert.That(finding.Severity, Is.EqualTo(Severity.Error));
        Assert.That(finding.Message, Does.Contain("compose config refuses the files"));
        Directory.Delete(copy, true);
    }
}
