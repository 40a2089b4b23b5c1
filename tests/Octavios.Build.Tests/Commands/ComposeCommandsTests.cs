using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Versioning;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Commands;

public class ComposeCommandsTests
{
    private static Func<ComposeFlavor, ComposeCommands> Plan(params string[] services)
    {
        var config = ConfigLoader.Load(SuiteRun.ExampleConfig);
        var versions = services.ToDictionary(s => config.Services[s].VersionVariable, _ => ReleaseVersion.Parse("0.2.3").ToString());
        return flavor => ComposeCommands.ForProject(config, flavor, "envs/.env.prod", versions);
    }

    [Test]
    public void UpRecreatesOnlyTheNamedServicesWithoutDependenciesOrBuild()
    {
        var up = Plan("backend")(ComposeFlavor.V2).Up(["backend"]);
        Assert.That(up.Program, Is.EqualTo("docker"));
        Assert.That(up.Args.Select(a => a.Value), Is.EqualTo(new[]
        {
            "compose", "--project-name", "octavios",
            "--file", "infra/docker-compose.yml", "--file", "infra/docker-compose.production.yml", "--file", "infra/docker-compose.registry.yml",
            "--env-file", "envs/.env.prod", "up", "--detach", "--no-deps", "--no-build", "--force-recreate", "backend",
        }));
    }

    [Test]
    public void AnAccessoryBootsWithTheEnvironmentsProfilesNeverRecreatedNorItsDependencies()
    {
        var boot = Plan()(ComposeFlavor.V1).Boot("db", ["local", "tools"]);
        Assert.That(boot.Program, Is.EqualTo("docker-compose"));
        Assert.That(boot.Args.Select(a => a.Value).SkipWhile(a => a != "envs/.env.prod").Skip(1), Is.EqualTo(new[]
        {
            "--profile", "local", "--profile", "tools", "up", "--detach", "--no-deps", "--no-build", "--no-recreate", "db",
        }));
        Assert.That(Plan()(ComposeFlavor.V2).Restart("db").Args.Select(a => a.Value).TakeLast(2), Is.EqualTo(new[] { "restart", "db" }));
    }

    [Test]
    public void AJournalsRepairRunsOnItsCopiesOfTheFilesFromTheFirstFilesDirectory()
    {
        var compose = Plan("backend")(ComposeFlavor.V1);
        Assert.That(compose.CopiesForJournal().Select(c => (c.Operation, c.Path, c.Content)), Is.EqualTo(new[]
        {
            ("copy", ".octavios/journal.files/compose.1.yml", "infra/docker-compose.yml"),
            ("copy", ".octavios/journal.files/compose.2.yml", "infra/docker-compose.production.yml"),
            ("copy", ".octavios/journal.files/compose.3.yml", "infra/docker-compose.registry.yml"),
            ("copy", ".octavios/journal.files/env", "envs/.env.prod"),
        }));
        Assert.That(compose.OnJournalCopies().Up(["backend"]).Args.Select(a => a.Value).TakeWhile(a => a != "up"), Is.EqualTo(new[]
        {
            "--project-name", "octavios", "--project-directory", "infra",
            "--file", ".octavios/journal.files/compose.1.yml", "--file", ".octavios/journal.files/compose.2.yml", "--file", ".octavios/journal.files/compose.3.yml",
            "--env-file", ".octavios/journal.files/env",
        }), "paths in the files resolve where they did");
        Assert.That((compose with { Files = ["compose.yaml"], EnvFile = null }).OnJournalCopies().Up(["backend"]).Args.Select(a => a.Value).TakeWhile(a => a != "up"),
            Is.EqualTo(new[] { "--project-name", "octavios", "--project-directory", ".", "--file", ".octavios/journal.files/compose.1.yml" }));
    }

    [Test]
    public void ExecRunsTheUsersCommandThroughAShellWithoutTerminalOrInput()
    {
        var once = Plan("backend")(ComposeFlavor.V1).RunOnce("backend", "printenv A; exit 3", TimeSpan.FromMinutes(1));
        Assert.That((once.Program, once.Args.Select(a => a.Value).SkipWhile(a => a != "run")), Is.EqualTo(("docker-compose",
            new[] { "run", "--rm", "--no-deps", "-T", "backend", "sh", "-c", "printenv A; exit 3" })));
        Assert.That((once.Environment["BACKEND_VERSION"].Value, once.StandardInput), Is.EqualTo(("0.2.3", (CommandArg?)null)), "the release's image, no input");
        var exec = ContainerCommands.Exec("0123456789abcdef", "ls /; rm -rf $(x)", TimeSpan.FromMinutes(1));
        Assert.That(exec.Args.Select(a => a.Value), Is.EqualTo(new[] { "exec", "0123456789abcdef", "sh", "-c", "ls /; rm -rf $(x)" }), "no -i, no -t");
        Assert.That(exec.ToShellLine(), Does.EndWith("'ls /; rm -rf $(x)'"), "the command reaches the container's shell as one quoted word");
    }

    [Test]
    public void VersionsOfTheSelectedServicesOnlyTravelAsVariables()
    {
        var up = Plan("backend", "web")(ComposeFlavor.V2).Up(["backend", "web"]);
        Assert.That(up.Environment.ToDictionary(e => e.Key, e => e.Value.Value), Is.EqualTo(new Dictionary<string, string>
        {
            ["REGISTRY"] = "docker.io", ["NAMESPACE"] = "octavios", ["BACKEND_VERSION"] = "0.2.3", ["WEB_VERSION"] = "0.2.3",
        }));
    }

    [Test]
    public void ComposeV1IsTheStandaloneProgram()
    {
        var pull = Plan("web")(ComposeFlavor.V1).Pull(["web"]);
        Assert.That(pull.Program, Is.EqualTo("docker-compose"));
        Assert.That(pull.Args[0].Value, Is.EqualTo("--project-name"));
        Assert.That(pull.Args[^2].Value, Is.EqualTo("pull"));
    }

    [Test]
    public void ProdPullsFromTheRegistryAndLocalDoesNot()
    {
        var config = ConfigLoader.Load(SuiteRun.ExampleConfig);
        Assert.That(config.Environments["prod"].Push, Is.True);
        Assert.That(config.Environments["local"].Push, Is.False);
        Assert.That(config.Deploy.HealthTimeoutSeconds, Is.EqualTo(90));
    }
}
