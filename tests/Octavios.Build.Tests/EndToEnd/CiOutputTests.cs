using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>Output that fits where it goes: plain text when redirected; groups, annotations, outputs and summaries on GitHub Actions.</summary>
[EndToEnd]
[NonParallelizable]
public class CiOutputTests
{
    [Test]
    public void RedirectedOutputHasNoEscapeAndGitHubActionsGetsGroupsAnnotationsOutputsAndSummaries()
    {
        using var app = new ExampleApp("localhost:5999", push: false);
        var deploy = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend", "--version=0.2.2");
        Assert.That(deploy.ExitCode, Is.Zero, deploy.StandardOutput + deploy.StandardError);
        var all = deploy.StandardOutput + deploy.StandardError;
        var escape = all.IndexOf('\u001b');
        Assert.That(escape, Is.EqualTo(-1), "no escape byte when the output is redirected: " + (escape < 0 ? "" : all.Substring(Math.Max(0, escape - 80), Math.Min(160, all.Length - Math.Max(0, escape - 80))).Replace("\u001b", "<ESC>")));

        var outputs = Path.Combine(app.Directory, "github-output");
        var summary = Path.Combine(app.Directory, "github-summary");
        var github = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_OUTPUT"] = outputs, ["GITHUB_STEP_SUMMARY"] = summary,
        };
        File.AppendAllText(Path.Combine(app.Directory, "apps", "web", "www", "index.html"), "changed\n");
        app.Commit("web changed");
        var detect = Shell.BuildScript(github, $"--config={app.ConfigPath}", "--target=Detect", "--services=changed");
        Assert.That(detect.ExitCode, Is.Zero, detect.StandardOutput + detect.StandardError);
        Assert.That(detect.StandardOutput, Does.Contain("::group::Detect").And.Contain("::endgroup::"));
        Assert.That(File.ReadAllText(outputs), Does.Contain("services").And.Contain("web").And.Contain("[\"web\"]"));
        Assert.That(File.ReadAllText(summary), Does.Contain("### Detect").And.Contain("| web |"));

        var overlay = Path.Combine(app.Directory, "infra", "docker-compose.registry.yml");
        File.WriteAllText(overlay, File.ReadAllText(overlay).Replace("web:${WEB_VERSION:-0.2.2}", "web:latest"));
        var validate = Shell.BuildScript(github, $"--config={app.ConfigPath}", "--target=Validate", "--exclusive", "--services=web");
        Assert.That(validate.ExitCode, Is.EqualTo(ExitCodes.Failed), validate.StandardOutput + validate.StandardError);
        Assert.That(validate.StandardOutput, Does.Match(@"::error [^\n]*file=infra/docker-compose\.registry\.yml[^\n]*line=\d+[^\n]*::"));
        Assert.That(File.ReadAllText(summary), Does.Contain("lint.latest"));
    }
}

/// <summary>A deploy is never silent for long: every phase, the health gate included, says where it is.</summary>
[EndToEnd]
[NonParallelizable]
public class ProgressTests
{
    [Test]
    public void ADeployWhoseGateWaitsTwentySecondsIsNeverSilentForFive()
    {
        using var app = new ExampleApp("localhost:5999", push: false);
        Assert.That(Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend", "--version=0.2.2").ExitCode, Is.Zero);
        // 0.2.3 serves only after 20 s; its healthcheck's start period covers the wait.
        File.AppendAllText(Path.Combine(app.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"sleep 20; exec httpd -f -p 8000 -h /www\"]\n");
        var production = Path.Combine(app.Directory, "infra", "docker-compose.production.yml");
        File.WriteAllText(production, File.ReadAllText(production).Replace("      start_period: 2s\n  web:", "      start_period: 40s\n  web:"));
        app.Commit("backend 0.2.3 starts slowly");
        using var run = new RunningSuite(new Dictionary<string, string>(), [$"--config={app.ConfigPath}", "--target=Deploy", "--services=backend", "--version=0.2.3"]);
        Assert.That(run.Exit(TimeSpan.FromSeconds(180)), Is.Zero, run.Output);
        TestContext.Out.WriteLine($"longest silence: {run.LongestSilence().TotalSeconds:0.0}s");
        Assert.That(run.LongestSilence(), Is.LessThan(TimeSpan.FromSeconds(5)), run.Output);
        Assert.That(run.Output, Does.Match(@"backend: .*\d+s of \d+s"), "the gate says where it stands");
    }
}
