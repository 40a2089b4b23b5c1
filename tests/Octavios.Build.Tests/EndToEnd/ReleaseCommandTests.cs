using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// A service's release command (a migration) on a real sshd, engine and registry: it runs once per deploy in a one-off
/// container of the new image, with the env file, before the first new container starts; when it fails, nothing is
/// switched and the deploy exits 1 saying why, its output masked.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class ReleaseCommandTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static IReadOnlyList<string> BackendContainers(ProdRig rig) =>
        Shell.Docker("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={rig.App.Project}", "--filter", "label=com.docker.compose.service=backend")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Test]
    public void TheReleaseCommandRunsInTheNewImageBeforeItTakesTrafficAndItsFailureSwitchesNothing()
    {
        using var rig = new ProdRig();
        Assert.That(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2").ExitCode, Is.Zero);
        File.WriteAllText(Path.Combine(rig.App.Directory, "apps", "backend", "www", "release.txt"), "schema of 0.2.3\n");
        rig.App.Commit("backend 0.2.3 brings a migration");
        rig.App.Configure("    versionVariable: BACKEND_VERSION\n",
            "    versionVariable: BACKEND_VERSION\n    release:\n      command: cat /www/release.txt; echo \"key=$SECRET_KEY\"\n");
        rig.Push("0.2.3", "backend");

        var deploy = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3");
        Assert.That(deploy.ExitCode, Is.Zero, Output(deploy));
        var output = deploy.StandardOutput;
        Assert.That(output, Does.Contain("schema of 0.2.3"), "the new image's files");
        Assert.That(output, Does.Contain("key=***").And.Not.Contain(ProdRig.SecretKey), "the env file's values reach it; its output is masked");
        Assert.That(output.IndexOf("schema of 0.2.3", StringComparison.Ordinal), Is.LessThan(output.IndexOf("starting 1 new container", StringComparison.Ordinal)),
            "before the first new container starts");
        Assert.That(BackendContainers(rig), Has.Count.EqualTo(1), "the one-off container is gone");

        var serving = BackendContainers(rig).Single();
        rig.App.Configure("command: cat /www/release.txt; echo \"key=$SECRET_KEY\"", "command: echo \"migration failed, key=$SECRET_KEY\"; exit 3");
        rig.Push("0.2.4", "backend");
        var failed = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.4");
        Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failed));
        Assert.That(failed.StandardError, Does.Contain("its release command exited 3"));
        Assert.That(Output(failed), Does.Contain("migration failed, key=***"), "its output, masked");
        Assert.That(Output(failed), Does.Not.Contain(ProdRig.SecretKey));
        Assert.That(BackendContainers(rig), Is.EqualTo(new[] { serving }), "nothing switched: the serving container alone");
        Assert.That(File.ReadAllText(rig.ServerFile(".octavios/versions.env")), Does.Contain("BACKEND_VERSION=0.2.3\n"));
        Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log"))[^1], Does.Contain("nothing was switched"));
        Assert.That(File.Exists(rig.ServerFile(".octavios/journal.env")), Is.False);
    }
}
