using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Validation;
using Octavios.Deploy.Validation.Checks;

namespace Octavios.Build.Tests.Validation;

/// <summary>Each pure check made to fire, and kept quiet.</summary>
public class CheckTests
{
    private static readonly ValidationConfig Rules = new() { RequiredVariables = ["DATABASE_PASSWORD"], Secrets = ["SECRET_KEY", "JWT_SECRET_KEY"] };
    private static readonly string Long = new('x', 40);

    private static LoadedEnvFile Env(string text) => new(".env.prod", DotEnvReader.Parse(text, ".env.prod", _ => null));

    private static string[] Ids(IEnumerable<Finding> findings, Severity severity = Severity.Error) =>
        findings.Where(f => f.Severity == severity).Select(f => f.Check).ToArray();

    // env.file / env.required / env.secret-length
    [Test]
    public void EnvFileQuietWhenEverythingIsThere() =>
        Assert.That(EnvFileChecks.Run(Env($"SECRET_KEY={Long}\nJWT_SECRET_KEY={Long}\nDATABASE_PASSWORD=p"), "e", Rules), Is.Empty);

    [Test]
    public void EnvFileFiresWhenMissing() =>
        Assert.That(Ids(EnvFileChecks.Run(null, "envs/.env.prod", Rules)), Is.EqualTo(new[] { "env.file" }));

    [Test]
    public void RequiredFiresForAMissingOrEmptyVariable()
    {
        var findings = EnvFileChecks.Run(Env($"SECRET_KEY={Long}\nJWT_SECRET_KEY=\n"), "e", Rules).ToList();
        Assert.That(findings.Select(f => f.Message), Has.Some.Contains("DATABASE_PASSWORD is not defined").And.Some.Contains("JWT_SECRET_KEY is empty"));
    }

    [Test]
    public void SecretLengthFiresBelowTheMinimumWithoutShowingTheValue()
    {
        var findings = EnvFileChecks.Run(Env($"SECRET_KEY={Long}\nJWT_SECRET_KEY=twelve-chars\nDATABASE_PASSWORD=p"), "e", Rules).ToList();
        Assert.That(Ids(findings), Is.EqualTo(new[] { "env.secret-length" }));
        Assert.That(findings[0].Message, Does.Contain("JWT_SECRET_KEY is 12 characters").And.Not.Contain("twelve-chars"));
    }

    // server.variables
    [Test]
    public void ServerVariablesFireForAnSshEnvironmentWithoutThem() =>
        Assert.That(ServerVariables.Run(new EnvironmentConfig { Kind = EnvironmentKind.Ssh }, _ => null).Count(), Is.EqualTo(2));

    [Test]
    public void ServerVariablesQuietWhenSetOrLocal()
    {
        Assert.That(ServerVariables.Run(new EnvironmentConfig { Kind = EnvironmentKind.Ssh }, _ => "x"), Is.Empty);
        Assert.That(ServerVariables.Run(EnvironmentConfig.DefaultLocal(), _ => null), Is.Empty);
    }

    // compose lint
    private static ComposeFile File(string name, string yaml) => ComposeFile.Parse(name, yaml);

    private static string[] Lint(string registryOverlayYaml, string? baseYaml = null)
    {
        var files = new List<ComposeFile>();
        if (baseYaml is not null) files.Add(File("base.yml", baseYaml));
        files.Add(File("registry.yml", registryOverlayYaml));
        return Ids(ComposeLint.Run(files, "registry.yml", Rules.Secrets), Severity.Error)
            .Concat(Ids(ComposeLint.Run(files, "registry.yml", Rules.Secrets), Severity.Warning)).ToArray();
    }

    private const string GoodOverlay = "services:\n  web:\n    image: ${REGISTRY}/octavios/web:${WEB_VERSION:-0.2.2}\n";

    [Test]
    public void LintQuietOnTheExampleShape() =>
        Assert.That(Lint(GoodOverlay, "services:\n  web:\n    build: ../apps/web\n    environment:\n      SECRET_KEY: ${SECRET_KEY}\n      JWT_SECRET_KEY: ${JWT_SECRET_KEY}\n      CORS_ORIGINS: ${CORS_ORIGINS:-http://a}\n"), Is.Empty);

    [TestCase("${CORS_ORIGINS:-[\"http://localhost:3000\"]}")]
    [TestCase("${SETTINGS-{\"a\":1}}")]
    public void JsonDefaultFires(string value) =>
        Assert.That(Lint(GoodOverlay, $"services:\n  web:\n    environment:\n      CORS_ORIGINS: '{value}'\n"), Is.EqualTo(new[] { "lint.json-default" }));

    [Test]
    public void JsonDefaultFiresInListForm() =>
        Assert.That(Lint(GoodOverlay, "services:\n  web:\n    environment:\n      - CORS_ORIGINS=${CORS_ORIGINS:-[\"http://x\"]}\n"), Is.EqualTo(new[] { "lint.json-default" }));

    [Test]
    public void PinnedVersionFiresInTheRegistryOverlay() =>
        Assert.That(Lint("services:\n  web:\n    image: ${REGISTRY}/octavios/web:0.2.2\n"), Is.EqualTo(new[] { "lint.pinned-version" }));

    [Test]
    public void PinnedVersionQuietOutsideTheRegistryOverlay() =>
        Assert.That(Lint(GoodOverlay, "services:\n  db:\n    image: postgres:16.4\n"), Is.Empty);

    [TestCase("octavios/web:latest")]
    [TestCase("octavios/web:${WEB_VERSION:-latest}")]
    public void LatestFires(string image) =>
        Assert.That(Lint($"services:\n  web:\n    image: {image}\n"), Does.Contain("lint.latest"));

    [Test]
    public void BuildInTheRegistryOverlayFires() =>
        Assert.That(Lint("services:\n  web:\n    build: ../apps/web\n    image: r/web:${WEB_VERSION}\n"), Is.EqualTo(new[] { "lint.build-in-registry-overlay" }));

    [Test]
    public void LiteralSecretFires() =>
        Assert.That(Lint(GoodOverlay, "services:\n  web:\n    environment:\n      SECRET_KEY: hunter2hunter2\n"), Is.EqualTo(new[] { "lint.literal-secret" }));

    [Test]
    public void LiteralNonSecretIsQuiet() =>
        Assert.That(Lint(GoodOverlay, "services:\n  web:\n    environment:\n      LOG_LEVEL: info\n"), Is.Empty);

    [Test]
    public void SecretOnlyThroughEnvFileWarns() =>
        Assert.That(Lint(GoodOverlay, "services:\n  web:\n    env_file: ../envs/.env.prod\n    environment:\n      SECRET_KEY: ${SECRET_KEY}\n"), Is.EqualTo(new[] { "lint.secret-env-file-only" }));

    [Test]
    public void EnvFileWithEverySecretListedIsQuiet() =>
        Assert.That(Lint(GoodOverlay, "services:\n  web:\n    env_file: ../envs/.env.prod\n    environment:\n      SECRET_KEY: ${SECRET_KEY}\n      JWT_SECRET_KEY: ${JWT_SECRET_KEY}\n"), Is.Empty);

    // compose.parse
    [Test]
    public void ComposeParseFiresWithFileAndLine() =>
        Assert.That(Assert.Throws<ComposeFileException>(() => ComposeFile.Parse("infra/x.yml", "services:\n  web: [\n"))!.Message, Does.StartWith("infra/x.yml"));

    // compose.variables
    [Test]
    public void ComposeVariablesFiresForAnUnsetVariableWithoutDefault()
    {
        var findings = ComposeVariables.Run([File("a.yml", "services:\n  web:\n    image: r/web:${WEB_VERSION}\n")], _ => null).ToList();
        Assert.That(findings.Single().Message, Does.Contain("a.yml:3").And.Contain("${WEB_VERSION}"));
    }

    [Test]
    public void ComposeVariablesFiresForAMissingRequiredVariable() =>
        Assert.That(ComposeVariables.Run([File("a.yml", "x: ${SECRET_KEY:?set it}\n")], _ => null).Single().Message, Does.Contain("required variable SECRET_KEY"));

    [Test]
    public void ComposeVariablesQuietWhenDefinedOrDefaulted() =>
        Assert.That(ComposeVariables.Run([File("a.yml", "a: ${WEB_VERSION:-0.2.2}\nb: ${SET}\nc: $$LITERAL\n")], n => n == "SET" ? "1" : null), Is.Empty);

    // server.disk parsing
    [Test]
    public void FreeDiskIsReadFromDf()
    {
        const string df = "Filesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/sda1        263174212 250015500  13158712      95% /\n";
        Assert.That(TargetChecks.FreePercent(df), Is.EqualTo(5));
        Assert.That(TargetChecks.FreePercent("garbage"), Is.Null);
    }
}
