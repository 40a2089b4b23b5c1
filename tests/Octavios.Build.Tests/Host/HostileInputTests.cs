using Octavios.Deploy.Output;
using System.Diagnostics;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;
using Octavios.Deploy;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Maintenance;
using Octavios.Deploy.Versioning;

namespace Octavios.Build.Tests.Host;

/// <summary>Hostile or careless input: out-of-range numbers, paths out of the project, oversized or endless files, odd versions.</summary>
public class HostileInputTests
{
    private string _dir = "";

    [SetUp]
    public void CopyExample()
    {
        _dir = Directory.CreateTempSubdirectory("octavios-hostile-").FullName;
        foreach (var directory in Directory.GetDirectories(Path.GetDirectoryName(SuiteRun.ExampleConfig)!, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(directory.Replace(Path.GetDirectoryName(SuiteRun.ExampleConfig)!, _dir));
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(SuiteRun.ExampleConfig)!, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(Path.GetDirectoryName(SuiteRun.ExampleConfig)!, _dir));
    }

    [TearDown]
    public void Remove() => Directory.Delete(_dir, true);

    private string Config => Path.Combine(_dir, "octavios.build.yml");

    private (int Code, string Output, TimeSpan Took) Validate(string config)
    {
        var clock = Stopwatch.StartNew();
        var (code, output) = SuiteRun.Run("--target=Validate", "--exclusive", $"--config={config}");
        return (code, output, clock.Elapsed);
    }

    /// <summary>The configuration with one line replaced; the line number of the new text is returned.</summary>
    private int Replace(string from, string to)
    {
        var text = File.ReadAllText(Config);
        Assert.That(text, Does.Contain(from));
        text = text.Replace(from, to);
        File.WriteAllText(Config, text);
        return text[..text.IndexOf(to, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
    }

    [TestCase("backend\n::error::x", "backend\\n::error::x")]
    [TestCase("web\u001b[8m", "web\\x1b[8m")]
    [TestCase("web\r::warning::y\u0085", "web\\r::warning::y\\x85")]
    public void AServiceNameThatWouldSteerTheOutputIsRefusedAndShownEscaped(string name, string shown)
    {
        var (code, output) = SuiteRun.Run("--target=Validate", "--exclusive", $"--config={Config}", $"--services={name}");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput), output);
        Assert.That(output, Does.Contain($"'{shown}'"));
        Assert.That(output.Split('\n').Where(l => l.TrimStart().StartsWith("::", StringComparison.Ordinal)), Is.Empty, output);
        foreach (var raw in new[] { "\u001b", "\r", "\u0085" }) Assert.That(output.Contains(raw, StringComparison.Ordinal), Is.False, $"{(int)raw[0]} in {PrintableText.Inline(output)}");
    }

    [TestCase("  healthTimeoutSeconds: 90", "  healthTimeoutSeconds: 99999999", "deploy.healthTimeoutSeconds")]
    [TestCase("  healthTimeoutSeconds: 90", "  healthTimeoutSeconds: 99999999999999999999", "deploy.healthTimeoutSeconds")]
    [TestCase("  healthTimeoutSeconds: 90", "  healthTimeoutSeconds: 90\n  lockStaleSeconds: -1", "deploy.lockStaleSeconds")]
    [TestCase("  healthTimeoutSeconds: 90", "  healthTimeoutSeconds: 90\n  logTail: -5", "deploy.logTail")]
    [TestCase("tags:\n  latest: true", "tags:\n  latest: true\nbuild:\n  parallelism: 0", "build.parallelism")]
    [TestCase("tags:\n  latest: true", "tags:\n  latest: true\nprune:\n  keep: -5", "prune.keep")]
    [TestCase("tags:\n  latest: true", "tags:\n  latest: true\nvalidation:\n  minSecretLength: -1", "validation.minSecretLength")]
    [TestCase("tags:\n  latest: true", "tags:\n  latest: true\nvalidation:\n  minFreeDiskPercent: 500", "validation.minFreeDiskPercent")]
    public void EveryNumberIsRangeCheckedNamingKeyAndLine(string from, string to, string key)
    {
        var line = Replace(from, to) + to.Split('\n').Length - 1;
        var (code, output, _) = Validate(Config);
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput), output);
        Assert.That(output, Does.Contain(key).And.Contain($"octavios.build.yml:{line}:"));
    }

    [TestCase("    - infra/docker-compose.yml", "    - ../../etc/passwd", "compose.files.0")]
    [TestCase("    - infra/docker-compose.yml", "    - /etc/passwd", "compose.files.0")]
    [TestCase("    envFile: envs/.env.prod", "    envFile: ../secrets/.env.prod", "environments.prod.envFile")]
    [TestCase("  healthTimeoutSeconds: 90", "  healthTimeoutSeconds: 90\n  backup:\n    directory: /var/backups", "deploy.backup.directory")]
    public void PathsOutsideTheProjectAreRefusedNamingTheKey(string from, string to, string key)
    {
        Replace(from, to);
        var (code, output, _) = Validate(Config);
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput), output);
        Assert.That(output, Does.Contain(key).And.Contain("leaves the project directory"));
    }

    [Test]
    public void ABillionLaughsAFifoAndADeviceAreRefusedAtOnce()
    {
        var laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
        for (var i = 'b'; i <= 'i'; i++) laughs += $"{i}: &{i} [{string.Join(",", Enumerable.Repeat($"*{(char)(i - 1)}", 9))}]\n";
        var bomb = Path.Combine(_dir, "bomb.yml");
        File.WriteAllText(bomb, laughs);
        var fifo = Path.Combine(_dir, "fifo.yml");
        Assert.That(Shell.Run("mkfifo", [fifo]).ExitCode, Is.Zero);
        foreach (var config in new[] { bomb, fifo, "/dev/zero" })
        {
            var (code, output, took) = Validate(config);
            TestContext.Out.WriteLine($"{config}: exit {code} in {took.TotalMilliseconds:0} ms");
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput), output);
            Assert.That(output, Does.Contain(config == bomb ? "aliases" : "not a regular file"));
        }
    }

    [Test]
    public void VersionsAreBoundedAndOrderedBySemverPrecedence()
    {
        Assert.That(() => ReleaseVersion.Parse(new string('1', 1000)), Throws.TypeOf<DeployInputException>().With.Message.Contains("1000 characters"));
        Assert.That(() => ReleaseVersion.Parse("1.0." + new string('9', 30)), Throws.TypeOf<DeployInputException>());
        Assert.That(() => ReleaseVersion.Parse("1.0.0+build.5"), Throws.TypeOf<DeployInputException>(), "build metadata is not a Docker tag");
        var ordered = new[] { "1.0.0", "1.0.0-rc.10", "1.0.0-rc.9", "1.0.0-rc.2", "0.9.9", "1.0.0-beta" }.Select(v => ReleaseVersion.Parse(v)).Order().Select(v => v.ToString());
        Assert.That(ordered, Is.EqualTo(new[] { "0.9.9", "1.0.0-beta", "1.0.0-rc.2", "1.0.0-rc.9", "1.0.0-rc.10", "1.0.0" }));
        var (code, output) = SuiteRun.Run("--target=Deploy", "--services=backend", $"--version={new string('1', 1000)}", $"--config={SuiteRun.ExampleConfig}");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput), output);
    }

    [Test]
    public void PruneOrdersPreReleasesByPrecedence()
    {
        var tags = Enumerable.Range(2, 10).Select(n => new ImageTag("r/o/backend", $"1.0.0-rc.{n}", $"id{n}")).ToList();
        var doomed = PrunePlan.Removable(tags, running: "1.0.0-rc.9", rollback: null, keep: 2, imagesInUse: new HashSet<string>()).Select(t => t.Tag);
        Assert.That(doomed, Is.EquivalentTo(new[] { "1.0.0-rc.2", "1.0.0-rc.3", "1.0.0-rc.4", "1.0.0-rc.5", "1.0.0-rc.6" }),
            "rc.10 and rc.11 are newer than rc.9; rc.7 and rc.8 are the two kept");
    }

    [Test]
    public void CredentialsAreMaskedByNameByLookAndInUrls()
    {
        string[] Masked(string name, string value) => SecretNames.ValuesToMask(name, value, ["SECRET_KEY"]).ToArray();
        Assert.That(Masked("DB_PASS", "hunter2-hunter2"), Does.Contain("hunter2-hunter2"));
        Assert.That(Masked("SENTRY_DSN", "https://0123abcd@sentry.example/1"), Does.Contain("0123abcd"));
        Assert.That(Masked("DATABASE_URL", "postgres://app:s3cr3t-pw@db:5432/app"), Does.Contain("s3cr3t-pw").And.Contain("app:s3cr3t-pw"));
        Assert.That(Masked("API_THING", "q8Zr2LmX0vTn5KpW7yBc"), Does.Contain("q8Zr2LmX0vTn5KpW7yBc"), "a random-looking value");
        Assert.That(Masked("CORS_ORIGINS", "https://octavios.example.com"), Is.Empty);
        Assert.That(Masked("SERVICE_NAME", "backend"), Is.Empty);
    }

    [Test]
    public void RandomLookingMeansShannonEntropyOfAtLeast3Point5BitsACharacter()
    {
        static double Entropy(string value) =>
            -value.GroupBy(c => c).Sum(g => (double)g.Count() / value.Length * Math.Log2((double)g.Count() / value.Length));
        var random = new Random(7);
        var alphabets = new[] { "ab1", "abcdefgh12", "abcdefghijk123", "abcdefghijklmnopqrstuvwxyz0123456789", "ABCDEFabcdef0123456789-_" };
        var values = Enumerable.Range(0, 2000)
            .Select(i => alphabets[i % alphabets.Length])
            .Select(alphabet => new string(Enumerable.Range(0, random.Next(16, 64)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))
            .Where(v => v.Any(char.IsAsciiDigit) && v.Any(char.IsAsciiLetter))
            .ToList();
        Assert.That(values.Count(v => Entropy(v) >= 3.5), Is.InRange(200, values.Count - 200), "values on both sides of the threshold");
        foreach (var value in values)
            Assert.That(SecretNames.LooksRandom(value), Is.EqualTo(Entropy(value) >= 3.5), value);
    }

    [Test]
    public void TheEnvReaderIsLinear()
    {
        var text = string.Concat(Enumerable.Range(0, 200_000).Select(i => $"VARIABLE_{i}=value-{i}-{new string('x', 30)}\n"));
        Assert.That(text.Length, Is.GreaterThan(10_000_000));
        var clock = Stopwatch.StartNew();
        var variables = DotEnvReader.Parse(text, ".env", _ => null);
        TestContext.Out.WriteLine($"{text.Length / 1_000_000.0:0.0} MB read in {clock.ElapsedMilliseconds} ms");
        Assert.That(variables, Has.Count.EqualTo(200_000));
        Assert.That(variables[^1].Line, Is.EqualTo(200_000));
    }
}
