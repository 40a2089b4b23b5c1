using Octavios.Build.Tests.Support;
using Octavios.Deploy;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Operations;
using Octavios.Deploy.Output;

namespace Octavios.Build.Tests.EnvFiles;

/// <summary>Env file sources (age, a command, per-variable commands) with the real sh and age, the diff's hashing on both sides, and --edit.</summary>
public class EnvSourceTests
{
    private string _dir = "";
    private SecretMasker _masker = new();

    [SetUp]
    public void CreateTree()
    {
        _dir = Directory.CreateTempSubdirectory("octavios-envsource-").FullName;
        _masker = new SecretMasker();
    }

    [TearDown]
    public void RemoveTree() => Directory.Delete(_dir, true);

    private SuiteConfig Config() => new() { BaseDirectory = _dir, FilePath = Path.Combine(_dir, "octavios.build.yml") };

    private EnvSourceReader Reader(EnvSourceConfig source, Dictionary<string, string>? variables = null) =>
        new(source, Config(), new LocalCommandRunner(_dir, new NullLog(), _masker), name => variables?.GetValueOrDefault(name), _masker.Add);

    private static string Read(EnvSourceReader reader) => reader.ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

    [TestCase("plain-value-123", "K=plain-value-123")]
    [TestCase("P&?!)ss word", "K=P&?!)ss word")]
    [TestCase("a #b", "K='a #b'")]
    [TestCase("pa$$word", "K='pa$$word'")]
    [TestCase("it's", "K=it's")]
    [TestCase("say \"hi\"\nit's", "K=\"say \\\"hi\\\"\\nit's\"")]
    public void AValueIsWrittenSoBothComposeVersionsReadItBack(string value, string line)
    {
        var text = EnvAssignment.Append("A=1", "K", value);
        Assert.That(text, Is.EqualTo($"A=1\n{line}\n"));
        foreach (var rules in new[] { DotEnvRules.ComposeV2, DotEnvRules.ComposeV1 })
            Assert.That(DotEnvReader.Parse(text, "t", _ => null, rules).Single(v => v.Name == "K").Value, Is.EqualTo(value), rules.ToString());
    }

    [Test]
    public void AValueNoEnvFileCarriesAlikeIsRefusedNamingTheVariableNeverTheValue()
    {
        var error = Assert.Throws<EnvSourceException>(() => EnvAssignment.Append("", "K", "it's $HOME"))!;
        Assert.That(error.Message, Does.StartWith("envSource.variables.K failed: its value cannot be written").And.Not.Contain("HOME"));
    }

    [Test]
    public void ACommandSourceWithAVariableMergedOverItIsReadIntoMemoryAndEveryValueIsLearned()
    {
        var text = Read(Reader(new EnvSourceConfig
        {
            Command = "printf 'SECRET_KEY=placeholder\\nPORT=8000\\n'",
            Variables = { ["SECRET_KEY"] = new VariableSourceConfig { Command = "echo 'from-the-store-0123456789'" } },
        }));

        var variables = DotEnvReader.Parse(text, "t", _ => null);
        Assert.That(variables.Select(v => (v.Name, v.Value)), Is.EqualTo(new[] { ("PORT", "8000"), ("SECRET_KEY", "from-the-store-0123456789") }));
        Assert.That(_masker.MaskKnown("x from-the-store-0123456789 placeholder"), Is.EqualTo("x *** ***"));
        Assert.That(Directory.GetFileSystemEntries(_dir), Is.Empty, "nothing written");
    }

    [Test]
    public void AFailingVariableCommandNamesTheVariableAndTheCommandItsErrorOutputMasked()
    {
        var error = Assert.Throws<EnvSourceException>(() => Read(Reader(new EnvSourceConfig
        {
            Variables =
            {
                ["SECRET_KEY"] = new VariableSourceConfig { Command = "echo known-secret-value-42" },
                ["JWT_SECRET_KEY"] = new VariableSourceConfig { Command = "echo \"store said known-secret-value-42: not found\" >&2; exit 4" },
            },
        })))!;

        Assert.That(error.Message, Is.EqualTo("envSource.variables.JWT_SECRET_KEY failed: `echo \"store said known-secret-value-42: not found\" >&2; exit 4` exited with code 4: store said ***: not found"));
        Assert.That(new SecretMasker().Mask(error.Message), Is.EqualTo(error.Message), "no part of it reads as a credential's value");
    }

    [Test]
    public void ASourceCommandThatHangsIsStoppedAtItsBound()
    {
        var error = Assert.Throws<EnvSourceException>(() => Read(Reader(new EnvSourceConfig { Command = "sleep 30", TimeoutSeconds = 1 })))!;
        Assert.That(error.Message, Is.EqualTo("envSource.command failed: `sleep 30` did not finish within 1s (envSource.timeoutSeconds) and was stopped."));
    }

    [Test]
    public void AnAgeFileIsDecryptedWithItsIdentityAndAWrongOrMissingIdentityIsNamed()
    {
        var identity = Path.Combine(_dir, "key.txt");
        var other = Path.Combine(_dir, "other.txt");
        Shell.Run("age-keygen", ["-o", identity]);
        Shell.Run("age-keygen", ["-o", other]);
        var recipient = Shell.Run("age-keygen", ["-y", identity]).StandardOutput.Trim();
        Directory.CreateDirectory(Path.Combine(_dir, "envs"));
        var encrypted = new LocalCommandRunner(_dir, new NullLog(), _masker)
            .TryRunAsync(EnvSourceCommands.AgeEncrypt([recipient], "envs/.env.prod.age", "SECRET_KEY=age-held-secret-0123456789\n", TimeSpan.FromSeconds(30))).GetAwaiter().GetResult();
        Assert.That(encrypted.ExitCode, Is.Zero, encrypted.StandardError);
        var source = new EnvSourceConfig { Age = "envs/.env.prod.age", Identity = "key.txt" };

        Assert.That(Read(Reader(source)), Is.EqualTo("SECRET_KEY=age-held-secret-0123456789\n"));
        Assert.That(Assert.Throws<EnvSourceException>(() => Read(Reader(source, new() { [EnvSourceReader.IdentityVariable] = other })))!.Message,
            Is.EqualTo($"envSource.age: envs/.env.prod.age could not be decrypted with the identity {other}: age: error: no identity matched any of the recipients"));
        Assert.That(Assert.Throws<EnvSourceException>(() => Read(Reader(new EnvSourceConfig { Age = "envs/.env.prod.age" })))!.Message,
            Does.StartWith("envSource.age: no identity to decrypt envs/.env.prod.age with: set DEPLOY_AGE_IDENTITY"));
        Assert.That(Assert.Throws<EnvSourceException>(() => Read(Reader(source, new() { [EnvSourceReader.IdentityVariable] = "missing.txt" })))!.Message,
            Is.EqualTo($"envSource.age: the age identity {Path.Combine(_dir, "missing.txt")} does not exist (set DEPLOY_AGE_IDENTITY or envSource.identity)."));
    }

    [TestCase("A=1\nB=two\n")]
    [TestCase("# comment\nexport A=1\n\n  B : 'x y'\nC=\"line one\nline two\"\n# end\nA=again\n")]
    [TestCase("KEY=no last line break")]
    [TestCase("A=1\r\nB=2\r\n")]
    [TestCase("")]
    public void TheServersHashesOfAnEnvFileAreThoseMadeHere(string text)
    {
        var file = Path.Combine(_dir, "env");
        File.WriteAllText(file, text);
        var there = Shell.Run("sh", RemoteFiles.EntryHashes(file).Args.Select(a => a.Value).ToList());
        Assert.That(there.ExitCode, Is.Zero, there.StandardError);
        Assert.That(EnvDiff.ParseHashes(there.StandardOutput), Is.EqualTo(EnvEntries.Hashes(text)));
        Assert.That(Shell.Run("sh", RemoteFiles.EntryHashes(Path.Combine(_dir, "none")).Args.Select(a => a.Value).ToList()).ExitCode, Is.EqualTo(3), "no file");
    }

    [Test]
    public void EntriesChangeWithTheirValueAndOnlyWithIt()
    {
        var before = EnvEntries.Hashes("A=1\nB=\"x\ny\"\nC=3\n");
        var after = EnvEntries.Hashes("# a comment now\nA=1\nB=\"x\nz\"\n\nC=3\nD=4\n");
        Assert.That(EnvDiff.Compare(after, before, _ => []).Select(v => (v.Name, v.Change)),
            Is.EqualTo(new[] { ("A", EnvChange.Unchanged), ("B", EnvChange.Changed), ("C", EnvChange.Unchanged), ("D", EnvChange.Added) }));
        Assert.That(EnvDiff.Compare(before, after, name => [$"reader-of-{name}"]).Single(v => v.Name == "D"),
            Is.EqualTo(new VariableDiff("D", EnvChange.Removed, ["reader-of-D"])).Using<VariableDiff>((a, b) => a.Name == b.Name && a.Change == b.Change && a.Services.SequenceEqual(b.Services)));
    }

    [Test]
    public void AVariableIsReadByTheRunningServicesReferringToItOrTakingTheWholeEnvFile()
    {
        var file = ComposeFile.Parse("c.yml", """
            services:
              api:
                environment:
                  TOKEN: ${TOKEN:?set it}
                  URL: "http://$HOST:${PORT:-80}"
              worker:
                env_file: ../envs/.env.prod
              web:
                image: web:${WEB_VERSION}
              idle:
                environment:
                  TOKEN: ${TOKEN}
            """);
        var readers = EnvDiff.Readers([file], new HashSet<string> { "api", "worker", "web" });
        Assert.That(readers("TOKEN"), Is.EqualTo(new[] { "api", "worker" }), "idle does not run");
        Assert.That(readers("PORT"), Is.EqualTo(new[] { "api", "worker" }));
        Assert.That(readers("WEB_VERSION"), Is.EqualTo(new[] { "web", "worker" }));
        Assert.That(readers("OTHER"), Is.EqualTo(new[] { "worker" }));
    }

    [Test]
    public void EditEncryptsTheChangeAgainAndRefusesAFileThatNoLongerParsesLeavingNoPlaintext()
    {
        var identity = Path.Combine(_dir, "key.txt");
        Shell.Run("age-keygen", ["-o", identity]);
        var recipient = Shell.Run("age-keygen", ["-y", identity]).StandardOutput.Trim();
        var local = new LocalCommandRunner(_dir, new NullLog(), _masker);
        local.TryRunAsync(EnvSourceCommands.AgeEncrypt([recipient], "prod.age", "A=1\n", TimeSpan.FromSeconds(30))).GetAwaiter().GetResult();
        var temp = Directory.CreateTempSubdirectory("octavios-edit-tmp-").FullName;
        var source = new EnvSourceConfig { Age = "prod.age", Identity = "key.txt" };
        string Edit(string editor) => new AgeFileEditor(source, Config(), Reader(source), local,
            name => name == "EDITOR" ? editor : null).EditAsync(CancellationToken.None).GetAwaiter().GetResult();
        var tmpdir = Environment.GetEnvironmentVariable("TMPDIR");
        try
        {
            Environment.SetEnvironmentVariable("TMPDIR", temp);
            var modes = Path.Combine(_dir, "modes");
            Assert.That(Edit($"sh -c 'stat -c %a \"$0\" \"$(dirname \"$0\")\" > {modes}; printf \"B=two words\\n\" >> \"$0\"'"), Is.EqualTo("prod.age: encrypted again to 1 recipient(s)"));
            Assert.That(File.ReadAllText(modes), Is.EqualTo("600\n700\n"), "the plaintext is private while the editor has it");
            Assert.That(Read(Reader(source)), Is.EqualTo("A=1\nB=two words\n"));
            var encrypted = File.ReadAllBytes(Path.Combine(_dir, "prod.age"));

            var refused = Assert.Throws<DeployInputException>(() => Edit("sh -c 'echo \"not an env line\" >> \"$0\"'"))!;
            Assert.That(refused.Message, Does.StartWith("The edited file is not an env file (prod.age:3:").And.EndWith("not encrypted; prod.age is unchanged."));
            Assert.That(File.ReadAllBytes(Path.Combine(_dir, "prod.age")), Is.EqualTo(encrypted));
            Assert.That(Edit("true"), Is.EqualTo("prod.age: no change, not encrypted again"));
            Assert.That(Directory.GetFileSystemEntries(temp), Is.Empty, "no plaintext, no directory left in TMPDIR");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", tmpdir);
            Directory.Delete(temp, true);
        }
    }
}
