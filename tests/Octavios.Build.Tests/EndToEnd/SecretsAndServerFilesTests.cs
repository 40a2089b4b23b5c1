using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// Secrets masked by value on a Compose v1 server, server files that stay private, and Prune by semver precedence,
/// through ./build.sh on the real rig.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class SecretsAndServerFilesTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, Output(run));

    private const string DollarPassword = "Adv$ecretDbPassword-2024-zz";
    private const string DbPass = "hunter2-but-longer-0042";
    private const string DsnKey = "abcdef0123456789abcdef";
    private const string ApiThing = "q8Zr2LmX0vTn5KpW7yBcD4";

    [Test]
    public void ACrashingReleaseThatPrintsItsEnvironmentLeaksNoSecretOnACompose1Server()
    {
        using var rig = new ProdRig(registryAuth: true);
        var compose = Path.Combine(rig.App.Directory, "infra", "docker-compose.yml");
        File.WriteAllText(compose, File.ReadAllText(compose).Replace("      SERVICE_NAME: backend\n",
            "      SERVICE_NAME: backend\n      DB_PASS: ${DB_PASS}\n      SENTRY_DSN: ${SENTRY_DSN}\n      API_THING: ${API_THING}\n"));
        rig.App.Commit("backend gets more credentials");
        File.WriteAllText(rig.ServerEnvFile, File.ReadAllText(rig.ServerEnvFile).Replace($"DATABASE_PASSWORD='{ProdRig.DatabasePassword}'", $"DATABASE_PASSWORD={DollarPassword}") +
            $"DB_PASS={DbPass}\nSENTRY_DSN=https://{DsnKey}@sentry.example.invalid/1\nAPI_THING={ApiThing}\n");
        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.2"));

        var validate = rig.Run(null, "--target=Validate", "--exclusive", "--services=backend");
        Ok(validate);
        Assert.That(validate.StandardOutput, Does.Contain("env.compose-versions").And.Contain("DATABASE_PASSWORD").And.Contain("Compose v1"));
        var env = rig.Run(null, "--target=Env", "--exclusive");
        Ok(env);
        Assert.That(env.StandardOutput, Does.Contain("read as Compose v1 reads it").And.Contain("read differently by the other Compose version: DATABASE_PASSWORD"));

        File.AppendAllText(Path.Combine(rig.App.Directory, "apps", "backend", "Dockerfile"), "CMD [\"sh\", \"-c\", \"env; exit 3\"]\n");
        rig.App.Commit("backend 0.2.4 prints its environment and crashes");
        var failed = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.4", "--verbosity=diagnostic");
        Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failed));
        Assert.That(Output(failed), Does.Contain("log lines of backend").And.Contain("DB_PASS=***").And.Contain("API_THING=***"));
        foreach (var secret in new[] { DollarPassword, "Adv-2024-zz", DbPass, DsnKey, ApiThing, ProdRig.SecretKey, ProdRig.JwtSecretKey })
            Assert.That(Output(failed).Contains(secret, StringComparison.Ordinal), Is.False, $"a value leaked: {secret[..4]}…");
    }

    [Test]
    public void UploadedEnvFilesAndBackupsStayPrivateAndNoRegistryPasswordStaysOnTheServer()
    {
        using var rig = new ProdRig(registryAuth: true);
        rig.App.Configure(ExampleApp.StableSetting, ExampleApp.StableSetting + "\n  backup:\n    enabled: true\n    command: echo dump");
        File.Copy(rig.ServerEnvFile, Path.Combine(rig.App.Directory, "envs", ".env.upload"));
        File.SetUnixFileMode(rig.ServerEnvFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var dockerConfig = "/root/.docker/config.json";
        bool ServerHoldsLogin() => File.Exists(dockerConfig) && File.ReadAllText(dockerConfig).Contains(rig.Registry.Address, StringComparison.Ordinal);
        Assume.That(ServerHoldsLogin(), Is.False);

        Ok(rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.3", "--env-file=envs/.env.upload"));
        Assert.That(File.GetUnixFileMode(rig.ServerEnvFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the uploaded env file is 0600");
        var backups = rig.ServerFile("backups");
        Assert.That(File.GetUnixFileMode(backups), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), "backups/ is 0700");
        var backup = Directory.GetFiles(backups).Single();
        Assert.That(File.GetUnixFileMode(backup), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the backup is 0600");
        Assert.That(ServerHoldsLogin(), Is.False, "the pull logged in through a throw-away DOCKER_CONFIG");
        Assert.That(rig.App.Containers()["backend"].Image, Does.EndWith(":0.2.3"));
    }

    [Test]
    public void PruneOrdersReleaseCandidatesBySemverAndItsDryRunListsWhatItRemoves()
    {
        // A registry name of its own: images of other tests share this engine, and Prune works on the whole repository.
        var registry = $"prune{Guid.NewGuid():N}"[..13] + ".test:5999";
        using var app = new ExampleApp(registry, push: false);
        var repository = $"{registry}/octavios/backend";
        for (var n = 2; n <= 11; n++)
            Ok(Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Tag", "--services=backend", $"--version=1.0.0-rc.{n}"));
        Ok(Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Deploy", "--services=backend", "--version=1.0.0-rc.9"));

        var dry = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Prune", "--services=backend", "--dryrun");
        Ok(dry);
        var listed = dry.StandardOutput.Split('\n').Where(l => l.Contains("would remove ")).Select(l => l[(l.IndexOf("would remove ", StringComparison.Ordinal) + 13)..].Trim()).ToHashSet();
        var prune = Shell.BuildScript(null, $"--config={app.ConfigPath}", "--target=Prune", "--services=backend");
        Ok(prune);
        var removed = prune.StandardOutput.Trim().Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.That(removed.Where(r => !r.Contains("-2026", StringComparison.Ordinal) && !r.Contains("-2027", StringComparison.Ordinal)).Order(),
            Is.EqualTo(new[] { 2, 3, 4, 5, 6 }.Select(n => $"{repository}:1.0.0-rc.{n}").Order()));
        Assert.That(listed, Is.EquivalentTo(removed), "the dry run lists exactly what the real run removes");
        bool Present(string tag) => Shell.Run("docker", ["image", "inspect", $"{repository}:{tag}"]).ExitCode == 0;
        Assert.That(new[] { "1.0.0-rc.7", "1.0.0-rc.8", "1.0.0-rc.9", "1.0.0-rc.10", "1.0.0-rc.11" }.All(Present), Is.True, "newer releases and the kept ones stay");
    }
}
