using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>Prune on the server: old releases go, the running one, the kept ones and the rollback version stay.</summary>
[EndToEnd]
[NonParallelizable]
public class PruneTests
{
    [Test]
    public void PruneRemovesOnlyOldReleasesAndDryRunListsThem()
    {
        using var rig = new ProdRig();
        File.WriteAllText(rig.App.ConfigPath, File.ReadAllText(rig.App.ConfigPath) + "prune:\n  keep: 0\n");
        rig.App.Commit("keep no older release");
        foreach (var version in new[] { "0.2.1", "0.2.2", "0.2.3", "0.2.4" })
        {
            var deploy = rig.Run(null, "--target=Deploy", "--services=backend", $"--version={version}");
            Assert.That(deploy.ExitCode, Is.Zero, deploy.StandardOutput + deploy.StandardError);
        }

        var repository = $"{rig.Registry.Address}/octavios/backend";
        bool Present(string tag) => Shell.Run("docker", ["image", "inspect", $"{repository}:{tag}"]).ExitCode == 0;

        var dry = rig.Run(null, "--target=Prune", "--services=backend", "--dryrun");
        Assert.That(dry.ExitCode, Is.Zero, dry.StandardOutput + dry.StandardError);
        Assert.That(dry.StandardOutput, Does.Contain($"would remove {repository}:0.2.1").And.Contain($"would remove {repository}:0.2.2"));
        Assert.That(dry.StandardOutput, Does.Not.Contain($"{repository}:0.2.3 ").And.Not.Contain("would remove " + repository + ":0.2.4"));
        Assert.That(Present("0.2.1"), Is.True, "a dry run removes nothing");

        var prune = rig.Run(null, "--target=Prune", "--services=backend");
        Assert.That(prune.ExitCode, Is.Zero, prune.StandardOutput + prune.StandardError);
        Assert.That((Present("0.2.1"), Present("0.2.2")), Is.EqualTo((false, false)), "older releases removed");
        Assert.That((Present("0.2.3"), Present("0.2.4"), Present("latest")), Is.EqualTo((true, true, true)), "rollback version, running version and latest kept");
        Assert.That(rig.App.Containers()["backend"].Health, Is.EqualTo("healthy"), "the live container is untouched");
    }
}
