using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>./build.sh itself against the example app, a real Docker engine and a real registry on loopback.</summary>
[EndToEnd]
[NonParallelizable]
public class BuildScriptTests
{
    [Test]
    public void DeployPushesAndRunsTheBackendHealthyAndVerifyPasses()
    {
        using var registry = TestRegistry.Start();
        using var app = new ExampleApp(registry.Address, push: true);
        var started = DateTime.UtcNow;

        var deploy = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend proxy", "--version=0.2.3");
        Assert.That(deploy.ExitCode, Is.Zero, deploy.StandardOutput + deploy.StandardError);

        var containers = app.Containers();
        Assert.That(containers.Keys, Is.EquivalentTo(new[] { "backend", "proxy" }), "only the selected services are created");
        Assert.That(containers["backend"].Image, Is.EqualTo($"{registry.Address}/octavios/backend:0.2.3"));
        Assert.That(containers["backend"].Health, Is.EqualTo("healthy"));

        var tags = registry.Tags("octavios/backend");
        Assert.That(tags, Does.Contain("0.2.3").And.Contain("latest"));
        Assert.That(tags.Where(t => t.StartsWith("0.2.3-", StringComparison.Ordinal)).Single(),
            Does.Match(@"^0\.2\.3-\d{8}-\d{4}$").And.StartWith($"0.2.3-{started:yyyyMMdd}"));
        Assert.That(registry.Tags("octavios/web"), Is.Empty, "web was not selected");

        var revision = Shell.Docker("image", "inspect", "--format", "{{index .Config.Labels \"org.opencontainers.image.revision\"}}",
            $"{registry.Address}/octavios/backend:0.2.3");
        Assert.That(revision, Has.Length.EqualTo(40));

        var verify = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Verify", "--exclusive", "--services=backend");
        Assert.That(verify.ExitCode, Is.Zero, verify.StandardOutput + verify.StandardError);
        Assert.That(verify.StandardOutput, Does.Contain($"127.0.0.1:{app.PortBase + 1}/api/health healthy"));
        Assert.That(app.Containers()["backend"].Id, Is.EqualTo(containers["backend"].Id), "Verify --exclusive deploys nothing");
    }

    [Test]
    public void VerifyFailsWhenTheServiceIsNotRunning()
    {
        using var app = new ExampleApp("127.0.0.1:1", push: false);
        var verify = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Verify", "--exclusive", "--services=web");
        Assert.That(verify.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(verify.StandardError, Does.Contain("Verify failed").And.Contain("web"));
    }

    [Test]
    public void ProdDryRunPrintsThePlanAndTouchesNothing()
    {
        static string[] Images() => Shell.Docker("images", "--all", "--quiet", "--no-trunc").Split('\n').Order().ToArray();
        static string[] Containers() => Shell.Docker("ps", "--all", "--quiet", "--no-trunc").Split('\n').Order().ToArray();
        var imagesBefore = Images();
        var containersBefore = Containers();
        var environment = new Dictionary<string, string>
        {
            ["DEPLOY_SERVER"] = "deploy@prod.example.invalid",
            ["DEPLOY_PROJECT_DIR"] = "/srv/octavios",
            ["REGISTRY_USERNAME"] = "ci",
            ["REGISTRY_PASSWORD"] = "dry-run-registry-password-1234",
        };

        var run = Shell.BuildScript(environment, "--dryrun", "--target=Deploy", "--services=backend web", "--version=0.2.3", "--env=prod");

        Assert.That(run.ExitCode, Is.Zero, run.StandardOutput + run.StandardError);
        var output = run.StandardOutput + run.StandardError;
        Assert.That(output, Does.Contain("[dry run] [local] docker build --tag docker.io/octavios/backend:0.2.3"));
        Assert.That(output, Does.Contain("[dry run] [local] docker build --tag docker.io/octavios/web:0.2.3"));
        Assert.That(output, Does.Contain("[dry run] [local] docker login docker.io --username ci --password-stdin (stdin: ***)"));
        Assert.That(output, Does.Contain("[dry run] [local] docker push docker.io/octavios/web:latest"));
        // web depends on backend: two waves, backend first, each start-first (its new container beside the running one).
        Assert.That(output, Does.Match(@"\[dry run\] \[deploy@prod\.example\.invalid:/srv/octavios\] env .*BACKEND_VERSION=0\.2\.3 WEB_VERSION=0\.2\.3.* docker compose .* up --no-deps --no-build --no-recreate --no-start --scale backend=2 backend(\u001b\[0m)?\n(.|\n)*docker stop --time \d+ '<running backend container>'(.|\n)*--no-recreate --no-start --scale web=2 web(\u001b\[0m)?\n"));
        Assert.That(output, Does.Not.Contain("--force-recreate"), "no service of the example is recreated");
        Assert.That(output, Does.Contain("ln -sT").And.Contain("infra/docker-compose.registry.yml (").And.Contain("append .octavios/audit.log"));
        Assert.That(output, Does.Not.Contain("dry-run-registry-password-1234"));
        Assert.That(Images(), Is.EqualTo(imagesBefore));
        Assert.That(Containers(), Is.EqualTo(containersBefore));
    }

    [Test]
    public void BadInputThroughTheScriptExitsTwoAndRunsNothing()
    {
        var run = Shell.BuildScript(null, "--target=Deploy", "--services=backend", "--version=latest");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(run.StandardError, Does.Contain("--version=latest is refused"));
        Assert.That(run.StandardOutput, Does.Not.Contain("Build"));
        foreach (var target in new[] { "Exec", "Diagnose", "Accessory" })
        {
            var swarm = Shell.BuildScript(null, "--env=swarm", $"--target={target}", "--services=backend", "--command=true", "--accessory=cache", "--action=logs");
            Assert.That(swarm.ExitCode, Is.EqualTo(ExitCodes.BadInput), swarm.StandardOutput + swarm.StandardError);
            Assert.That(swarm.StandardError, Does.Contain($"{target} reaches containers through each Compose host's engine"));
        }
    }

    [Test]
    public void PowerShellScriptShowsTheSameTreeAsTheBashScript()
    {
        var pwsh = Path.Combine(SuiteRun.RepositoryRoot, ".artifacts", "tools", "pwsh");
        Assert.That(File.Exists(pwsh), Is.True, "PowerShell is installed by .ci/services.sh");
        var bash = Shell.BuildScript(null, "--tree");
        var powershell = Shell.Run(pwsh, ["-NoProfile", "-File", Path.Combine(SuiteRun.RepositoryRoot, "build.ps1"), "--tree"],
            null, SuiteRun.RepositoryRoot, TimeSpan.FromMinutes(8));
        Assert.That(bash.ExitCode, Is.Zero, bash.StandardError);
        Assert.That(powershell.ExitCode, Is.Zero, powershell.StandardOutput + powershell.StandardError);
        Assert.That(powershell.StandardOutput, Is.EqualTo(bash.StandardOutput));
        Assert.That(bash.StandardOutput, Does.Contain("Deploy"));
    }
}
