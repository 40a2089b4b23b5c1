using System.Text.RegularExpressions;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>A configuration that names only services, paths, version variables and health: build settings come from compose build: sections.</summary>
[EndToEnd]
[NonParallelizable]
public partial class MinimalConfigurationTests
{
    [Test]
    public void ServicesWithoutBuildSettingsDeployAndASecretInAContextIsRefused()
    {
        using var app = new ExampleApp("localhost:5999", push: false);
        var config = File.ReadAllText(app.ConfigPath);
        config = BuildSettings().Replace(config, "");
        config = config.Replace("compose:\n", "compose:\n  buildFiles: [infra/docker-compose.dev.yml]\n");
        File.WriteAllText(app.ConfigPath, config);
        Assert.That(config, Does.Not.Contain("context:").And.Not.Contain("dockerfile:").And.Not.Contain("    image:"));
        app.Commit("only services, paths, version variables and health");

        var deploy = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=all", "--version=0.2.2");
        Assert.That(deploy.ExitCode, Is.Zero, deploy.StandardOutput + deploy.StandardError);
        Assert.That(app.Containers().Values.Select(c => c.Health), Is.All.EqualTo("healthy"));
        Assert.That(app.Containers()["web"].Image, Is.EqualTo("localhost:5999/octavios/web:0.2.2"));

        File.Copy(Path.Combine(app.Directory, "envs", ".env.local"), Path.Combine(app.Directory, "apps", "web", ".env"));
        var validate = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Validate", "--exclusive", "--services=web");
        Assert.That(validate.ExitCode, Is.EqualTo(ExitCodes.Failed), validate.StandardOutput + validate.StandardError);
        Assert.That(validate.StandardOutput + validate.StandardError, Does.Contain("build.context-secret").And.Contain("web: apps/web/.env"));
        File.WriteAllText(Path.Combine(app.Directory, "apps", "web", ".dockerignore"), ".env\n");
        var ignored = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Validate", "--exclusive", "--services=web");
        Assert.That(ignored.StandardOutput, Does.Not.Contain("build.context-secret"), "a .dockerignore that excludes it is enough");
    }

    /// <summary>Every image:, context:, dockerfile: and buildArgs: block of the services.</summary>
    [GeneratedRegex(@"    (image|context|dockerfile): .*\n|    buildArgs:\n(      .*\n)+")]
    private static partial Regex BuildSettings();
}
