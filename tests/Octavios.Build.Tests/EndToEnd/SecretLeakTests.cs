using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>Every target at diagnostic verbosity against the real rig: no secret value from an env file reaches any output.</summary>
[Category("EndToEnd")]
[NonParallelizable]
public class SecretLeakTests
{
    [Test]
    public void NoTargetPrintsOrReportsASecretValue()
    {
        using var rig = new ProdRig(registryAuth: true);
        rig.Push("0.2.2", "backend");
        var reports = Directory.CreateTempSubdirectory("octavios-reports-").FullName;
        var environment = rig.Environment();
        environment["GITHUB_STEP_SUMMARY"] = Path.Combine(reports, "summary.md");
        string[][] runs =
        [
            ["--target=Deploy", "--services=proxy", "--version=0.2.2"],
            ["--target=Detect", "--services=changed"],
            ["--target=Env", $"--report={reports}/env.json"],
            ["--target=Validate", "--services=backend", $"--report={reports}/validate.json"],
            ["--target=Build", "--services=backend", "--version=0.2.3"],
            ["--target=Tag", "--services=backend", "--version=0.2.3"],
            ["--target=Push", "--services=backend", "--version=0.2.3"],
            ["--target=Verify", "--services=backend", "--version=0.2.3"],
            ["--target=Rollback", "--services=backend", "--version=0.2.2"],
            ["--target=Default"],
            ["--target=Deploy", "--services=backend", "--version=0.2.3", "--dryrun"],
            ["--target=Env", "--env=local", $"--report={reports}/env-local.json"],
        ];

        var output = new System.Text.StringBuilder();
        foreach (var args in runs)
        {
            var run = rig.Run(environment, [.. args, "--verbosity=diagnostic"]);
            output.AppendLine(run.StandardOutput).AppendLine(run.StandardError);
            if (!args.Contains("--target=Default")) Assert.That(run.ExitCode, Is.Zero, $"{string.Join(' ', args)}\n{run.StandardOutput}{run.StandardError}");
        }

        var everything = output + string.Concat(Directory.GetFiles(reports).Select(File.ReadAllText));
        Assert.That(everything, Does.Contain("JWT_SECRET_KEY").And.Contain("healthy"), "the runs did produce output");
        var localSecrets = new Octavios.Deploy.EnvFiles.LoadedEnvFile("local", Octavios.Deploy.EnvFiles.DotEnvReader.ReadFile(
            Path.Combine(rig.App.Directory, "envs", ".env.local"), _ => null)).SecretValues([]);
        foreach (var secret in new[] { ProdRig.SecretKey, ProdRig.JwtSecretKey, ProdRig.DatabasePassword, rig.Registry.Credentials!.Value.Password }.Concat(localSecrets))
            Assert.That(everything, Does.Not.Contain(secret), "a secret value leaked");
        Directory.Delete(reports, true);
    }
}
