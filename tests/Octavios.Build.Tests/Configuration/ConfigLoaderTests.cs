using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Configuration;

public class ConfigLoaderTests
{
    private string _dir = "";

    [SetUp]
    public void CreateTree()
    {
        _dir = Directory.CreateTempSubdirectory("octavios-config-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "apps", "api"));
        Directory.CreateDirectory(Path.Combine(_dir, "infra"));
        File.WriteAllText(Path.Combine(_dir, "apps", "api", "Dockerfile"), "FROM scratch\n");
        File.WriteAllText(Path.Combine(_dir, "infra", "compose.yml"), "services: {}\n");
    }

    [TearDown]
    public void RemoveTree() => Directory.Delete(_dir, true);

    private const string Valid = """
        registry: registry.example.com
        namespace: team
        compose:
          project: shop
          files: [infra/compose.yml]
        services:
          api:
            image: api
            context: apps/api
            dockerfile: apps/api/Dockerfile
            paths: ["apps/api/**"]
            versionVariable: API_VERSION
        """;

    private SuiteConfig Parse(string yaml) => ConfigLoader.Parse(yaml, Path.Combine(_dir, "octavios.build.yml"));

    private string Error(string yaml) => Assert.Throws<DeployInputException>(() => Parse(yaml))!.Message;

    [Test]
    public void LoadsAValidFileAndResolvesPathsAgainstItsFolder()
    {
        var config = Parse(Valid);
        Assert.That(config.ImageRepository(config.Services["api"]), Is.EqualTo("registry.example.com/team/api"));
        Assert.That(config.ResolvePath(config.Services["api"].Context), Is.EqualTo(Path.Combine(_dir, "apps", "api")));
        Assert.That(config.Services["api"].ComposeService, Is.EqualTo("api"));
    }

    [TestCase("deploy:\n  healthTimeoutSeconds: s3cr3t-Xk9mQ2vL7pR4\n")]
    [TestCase("deploy:\n  healthTimeoutSeconds: [s3cr3t-Xk9mQ2vL7pR4]\n")]
    [TestCase("tags:\n  latest: s3cr3t-Xk9mQ2vL7pR4\n")]
    public void ErrorsNameThePlaceNeverTheValue(string tail)
    {
        var error = Error(Valid + "\n" + tail);
        Assert.That(error, Does.Contain("octavios.build.yml:").And.Not.Contain("s3cr3t"));
    }

    [Test]
    public void TheLocalEnvironmentIsBuiltIn()
    {
        var local = Parse(Valid).Environments["local"];
        Assert.That(local.Kind, Is.EqualTo(EnvironmentKind.Local));
        Assert.That(local.Push, Is.False);
    }

    [Test]
    public void AMissingRequiredKeyIsReportedAtItsLineAndColumn()
    {
        var message = Error(Valid.Replace("    versionVariable: API_VERSION\n", "").Replace("    versionVariable: API_VERSION", ""));
        Assert.That(message, Does.Contain("octavios.build.yml:7:3: services.api.versionVariable: required"));
    }

    [Test]
    public void AnUnknownKeyIsReportedWithLineAndColumn()
    {
        var message = Error(Valid.Replace("    image: api", "    imgae: api"));
        Assert.That(message, Does.Match(@"octavios\.build\.yml:8:5: .*imgae"));
    }

    [Test]
    public void AKeyItsEnvironmentKindNeverReadsIsReportedAtItsPlace()
    {
        var ssh = Error(Valid + "\nenvironments:\n  prod:\n    kind: ssh\n    composeFiles: [infra/compose.yml]\n");
        Assert.That(ssh, Does.Contain("octavios.build.yml:16:5: environments.prod.composeFiles: read by swarm environments only"));
        var swarm = Error(Valid + "\nenvironments:\n  swarm:\n    kind: swarm\n    roles:\n      api: [h1]\n");
        Assert.That(swarm, Does.Contain("environments.swarm.roles: read by ssh environments (fleets) only"));
        var local = Error(Valid + "\nenvironments:\n  here:\n    kind: local\n    hosts: [root@h1]\n");
        Assert.That(local, Does.Contain("environments.here.hosts: a local environment"));
        Assert.That(Error(Valid + "\nenvironments:\n  prod:\n    kind: ssh\n    domainFrom: PROD_DOMAIN\n"), Does.Contain("domainFrom"), "a key no kind reads");
        Assert.DoesNotThrow(() => Parse(Valid + "\nenvironments:\n  swarm:\n    kind: swarm\n    composeFiles: [infra/compose.yml]\n"));
    }

    [Test]
    public void AYamlSyntaxErrorIsReportedWithLineAndColumn()
    {
        var message = Error(Valid.Replace("  project: shop", "  project: [shop"));
        Assert.That(message, Does.Match(@"octavios\.build\.yml:\d+:\d+: "));
    }

    [Test]
    public void AMissingComposeFileIsNamedAtItsEntry()
    {
        var message = Error(Valid.Replace("[infra/compose.yml]", "[infra/compose.yml, infra/missing.yml]"));
        Assert.That(message, Does.Contain("compose.files.1: file not found").And.Contain("missing.yml"));
    }

    [Test]
    public void AReservedServiceNameIsRefused() =>
        Assert.That(Error(Valid.Replace("  api:\n", "  all:\n")), Does.Contain("services.all: a service name"));

    [Test]
    public void AVersionVariableSharedByTwoServicesIsRefused()
    {
        var twice = Valid + """

              worker:
                image: worker
                context: apps/api
                paths: ["apps/api/**"]
                versionVariable: API_VERSION
            """;
        Assert.That(Error(twice), Does.Contain("'API_VERSION' is used by more than one service"));
    }

    [TestCase("Api", false)]
    [TestCase("-api", false)]
    [TestCase("api v2", false)]
    [TestCase("file-manager", true)]
    [TestCase("0api.v2_x", true)]
    public void AServiceNameIsLowerCaseLettersDigitsDotsDashesAndUnderscores(string name, bool valid)
    {
        var yaml = Valid.Replace("  api:\n", $"  \"{name}\":\n");
        if (valid) Assert.That(Parse(yaml).Services.Keys, Does.Contain(name));
        else Assert.That(Error(yaml), Does.Contain($"services.{name}: a service name"));
    }

    [TestCase("1API", false)]
    [TestCase("API-VERSION", false)]
    [TestCase("", false)]
    [TestCase("_api_version2", true)]
    public void AVersionVariableIsAShellVariableName(string variable, bool valid)
    {
        var yaml = Valid.Replace("versionVariable: API_VERSION", $"versionVariable: \"{variable}\"");
        if (valid) Assert.That(Parse(yaml).Services["api"].VersionVariable, Is.EqualTo(variable));
        else Assert.That(Error(yaml), Does.Contain("services.api.versionVariable: required"));
    }

    [Test]
    public void AHealthUrlMustBeAbsolute() =>
        Assert.That(Error(Valid + "\n    health:\n      url: /api/health\n"), Does.Contain("services.api.health.url"));

    [Test]
    public void EveryRuleBrokenIsReportedAtOnce()
    {
        var message = Error(Valid.Replace("    image: api", "    image: API").Replace("  project: shop", "  project: \"\""));
        Assert.That(message, Does.Contain("compose.project").And.Contain("services.api.image"));
    }

    [Test]
    public void TheExampleConfigurationLoads()
    {
        var config = ConfigLoader.Load(SuiteRun.ExampleConfig);
        Assert.That(config.ServiceNames, Is.EqualTo(new[] { "backend", "web", "file-manager", "bank-advisor", "aletheia", "proxy" }));
        Assert.That(config.Environments["prod"].EnvFile, Is.EqualTo("envs/.env.prod"));
        Assert.That(config.Services["backend"].Health!.Url, Does.EndWith("/api/health"));
    }

    [Test]
    public void AnEnvSourceIsReadForServersOnlyAndNeedsWhereToUploadAndOneFile()
    {
        string Environments(string body) => Error(Valid + "\nenvironments:\n" + body);
        Assert.That(Environments("  here:\n    kind: local\n    envFile: e\n    envSource:\n      command: cat x\n"),
            Does.Contain("environments.here.envSource: read by environments on servers only"));
        var prod = Environments("  prod:\n    kind: ssh\n    envSource:\n      age: a.age\n      command: cat x\n      recipients: [ssh-ed25519 AAAA]\n      variables:\n        SECRET_KEY: { command: '' }\n");
        Assert.That(prod, Does.Contain("environments.prod.envSource: needs the environment's envFile")
            .And.Contain("environments.prod.envSource: age or command, not both")
            .And.Contain("environments.prod.envSource.recipients: 'ssh-ed25519 AAAA' is not an age public key")
            .And.Contain("environments.prod.envSource.variables.SECRET_KEY.command: must be a command printing the value"));
        var config = Parse(Valid + "\nenvironments:\n  prod:\n    kind: ssh\n    envFile: envs/.env.prod\n    envSource:\n      age: envs/.env.prod.age\n      variables:\n        SECRET_KEY: { command: pass show x }\n");
        Assert.That(config.Environments["prod"].EnvSource!.Variables["SECRET_KEY"].Command, Is.EqualTo("pass show x"));
    }

    [Test]
    public void AnAccessoryIsNoServiceAndItsBackupNeedsACommand()
    {
        var message = Error(Valid + "\naccessories:\n  api: {}\n  Cache:\n    backup: { extension: rdb }\n");
        Assert.That(message, Does.Contain("accessories.api: 'api' is a service too")
            .And.Contain("accessories.Cache: an accessory name is lower-case")
            .And.Contain("accessories.Cache.backup.command: required"));
        var config = Parse(Valid + "\naccessories:\n  cache: {}\n  db: { composeService: postgres }\n");
        Assert.That(config.Accessories.Select(a => (a.Key, a.Value.ComposeService)), Is.EqualTo(new[] { ("cache", "cache"), ("db", "postgres") }));
    }

    [Test]
    public void AnAccessoryUnderAProfileRunsOnlyWhereTheEnvironmentActivatesIt()
    {
        var file = Octavios.Deploy.Compose.ComposeFile.Parse("c.yml", "services:\n  db:\n    profiles: [local, tools]\n  cache: {}\n");
        var profiles = Octavios.Deploy.Operations.Accessories.ProfilesOf([file], "db");
        Assert.That(profiles, Is.EqualTo(new[] { "local", "tools" }));
        Assert.That(Octavios.Deploy.Operations.Accessories.ExpectedIn(new EnvironmentConfig(), profiles), Is.False);
        Assert.That(Octavios.Deploy.Operations.Accessories.ExpectedIn(new EnvironmentConfig { Profiles = ["tools"] }, profiles), Is.True);
        Assert.That(Octavios.Deploy.Operations.Accessories.ExpectedIn(new EnvironmentConfig(), Octavios.Deploy.Operations.Accessories.ProfilesOf([file], "cache")), Is.True);
    }
}
