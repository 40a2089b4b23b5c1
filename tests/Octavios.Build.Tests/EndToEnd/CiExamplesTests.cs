using System.Text.RegularExpressions;
using Octavios.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// examples/ci: the GitHub Actions workflow and the GitLab pipeline are parsed and the commands that call the suite run,
/// in order, against the example app (the local environment and a loopback registry stand in for production).
/// </summary>
[EndToEnd]
[NonParallelizable]
public partial class CiExamplesTests
{
    private static YamlMappingNode Load(string name)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(SuiteRun.RepositoryRoot, "examples", "ci", name))));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>The shell lines of a job that call ./build.sh (GitHub's run: steps, GitLab's script: items).</summary>
    private static List<string> SuiteCommands(YamlMappingNode job)
    {
        var scripts = job.Children.TryGetValue("steps", out var steps)
            ? ((YamlSequenceNode)steps).Children.OfType<YamlMappingNode>().Where(s => s.Children.ContainsKey("run")).Select(s => s["run"].ToString())
            : ((YamlSequenceNode)job["script"]).Children.Select(s => s.ToString());
        return scripts.Where(s => s.Contains("./build.sh", StringComparison.Ordinal)).ToList();
    }

    private static void Run(ExampleApp app, string script, IDictionary<string, string> environment)
    {
        var run = Shell.Run("bash", ["-euo", "pipefail", "-c", script], new Dictionary<string, string>(environment), app.Directory);
        Assert.That(run.ExitCode, Is.Zero, $"{script}\n{run.StandardOutput}{run.StandardError}");
    }

    private static ExampleApp AppWithSuite(TestRegistry registry)
    {
        var app = new ExampleApp(registry.Address, push: true);
        // CI jobs run ./build.sh from the checkout: here a one-line wrapper around the suite's own.
        File.WriteAllText(Path.Combine(app.Directory, "build.sh"), $"#!/bin/sh\nexec '{Path.Combine(SuiteRun.RepositoryRoot, "build.sh")}' \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(app.Directory, "build.sh"), (UnixFileMode)0b111_101_101);
        Assert.That(Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=all", "--version=0.2.2").ExitCode, Is.Zero);
        return app;
    }

    private static void Release(ExampleApp app, string service, string tag)
    {
        File.AppendAllText(Path.Combine(app.Directory, "apps", service, "www", "index.html"), $"{tag}\n");
        app.Commit($"{service} {tag}", tag);
    }

    [Test]
    public void TheGitHubWorkflowDetectsPushesAMatrixAndDeploys()
    {
        using var registry = TestRegistry.Start();
        using var app = AppWithSuite(registry);
        Release(app, "web", "v0.2.3");
        var jobs = (YamlMappingNode)Load("github-actions.yml")["jobs"];
        var outputs = Path.Combine(app.Directory, "github-output");
        var environment = new Dictionary<string, string> { ["VERSION"] = "v0.2.3", ["OCTAVIOS_ENV"] = "local", ["GITHUB_ACTIONS"] = "true", ["GITHUB_OUTPUT"] = outputs };

        foreach (var command in SuiteCommands((YamlMappingNode)jobs["detect"])) Run(app, command, environment);
        var written = File.ReadAllText(outputs);
        var services = Output(written, "services");
        var matrix = System.Text.Json.JsonSerializer.Deserialize<string[]>(Output(written, "services_json"))!;
        Assert.That(matrix, Is.EqualTo(new[] { "web" }));

        foreach (var service in matrix)
            foreach (var command in SuiteCommands((YamlMappingNode)jobs["push"]))
                Run(app, command.Replace("${{ matrix.service }}", service), environment);
        Assert.That(registry.Tags("octavios/web"), Does.Contain("0.2.3"));

        foreach (var command in SuiteCommands((YamlMappingNode)jobs["deploy"]))
            Run(app, command.Replace("${{ needs.detect.outputs.services }}", services), environment);
        Assert.That(app.Containers()["web"].Image, Does.EndWith(":0.2.3"));
    }

    [Test]
    public void TheGitLabPipelineDetectsPushesAndDeploys()
    {
        using var registry = TestRegistry.Start();
        using var app = AppWithSuite(registry);
        Release(app, "aletheia", "v0.2.3");
        var pipeline = Load("gitlab-ci.yml");
        var environment = new Dictionary<string, string> { ["VERSION"] = "v0.2.3", ["OCTAVIOS_ENV"] = "local" };
        foreach (var stage in ((YamlSequenceNode)pipeline["stages"]).Children.Select(s => s.ToString()))
            foreach (var command in SuiteCommands((YamlMappingNode)pipeline[stage]))
                Run(app, command, environment);
        Assert.That(File.ReadAllText(Path.Combine(app.Directory, "services.txt")).Trim(), Is.EqualTo("aletheia"));
        Assert.That(app.Containers()["aletheia"].Image, Does.EndWith(":0.2.3"));
    }

    /// <summary>A step output as GitHub's file holds it: name=value, or name&lt;&lt;DELIMITER … DELIMITER.</summary>
    private static string Output(string file, string name)
    {
        var heredoc = Regex.Match(file, $@"^{name}<<(\S+)\n(.*?)\n\1$", RegexOptions.Multiline | RegexOptions.Singleline);
        if (heredoc.Success) return heredoc.Groups[2].Value;
        return Regex.Match(file, $@"^{name}=(.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();
    }
}
