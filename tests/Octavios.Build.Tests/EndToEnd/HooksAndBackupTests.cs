using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>Deploy's hooks (local) and backup (on the server), through ./build.sh against the real rig.</summary>
[EndToEnd]
[NonParallelizable]
public class HooksAndBackupTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Configure(ProdRig rig, string deploySection)
    {
        var config = File.ReadAllText(rig.App.ConfigPath).Replace("deploy:\n  healthTimeoutSeconds: 90", "deploy:\n  healthTimeoutSeconds: 90\n" + deploySection);
        File.WriteAllText(rig.App.ConfigPath, config);
        rig.App.Commit("configure hooks and backup");
    }

    [Test]
    public void HooksRunInOrderWithTheDeployInTheirEnvironmentAndABackupIsKept()
    {
        using var rig = new ProdRig();
        var trace = Path.Combine(rig.Ssh.Directory, "hooks.txt");
        Configure(rig, $"""
              hooks:
                preDeploy:
                  - echo "pre $OCTAVIOS_HOOK_ACTION $OCTAVIOS_HOOK_SERVICES $OCTAVIOS_HOOK_VERSION $OCTAVIOS_HOOK_ENV" >> '{trace}'
                  - "'{SuiteRun.RepositoryRoot}/build.sh' --target=Env --config='{rig.App.ConfigPath}' > '{trace}.inner' 2>&1; echo inner $? >> '{trace}'"
                postDeploy:
                  - echo "post $OCTAVIOS_HOOK_HOSTS" >> '{trace}'
              backup:
                enabled: true
                command: echo "dump of the database"
            """);
        var run = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.2");
        Assert.That(run.ExitCode, Is.Zero, Output(run));
        Assert.That(File.ReadAllLines(trace), Is.EqualTo(new[] { "pre deploy backend 0.2.2 prod", "inner 0", $"post root@127.0.0.1:{rig.Ssh.Port}" }), File.ReadAllText(trace + ".inner"));
        // The suite run by the hook is a run of its own: the calling run's environment (prod) does not leak into it.
        Assert.That(File.ReadAllText(trace + ".inner"), Does.Contain(".env.local"));
        var backups = Directory.GetFiles(rig.ServerFile("backups"));
        Assert.That(backups.Single(), Does.Match(@"backup-\d{8}-\d{6}\.sql$"));
        Assert.That(File.ReadAllText(backups.Single()), Is.EqualTo("dump of the database\n"));
    }

    [TestCase("  hooks:\n    preDeploy:\n      - exit 7\n", "pre-deploy hook failed (exit 7)")]
    [TestCase("  backup:\n    enabled: true\n    command: echo partial; exit 3\n", "The backup failed, so nothing was deployed")]
    public void AFailingPreDeployHookOrBackupStopsTheDeploy(string section, string message)
    {
        using var rig = new ProdRig();
        Configure(rig, section);
        var run = rig.Run(null, "--target=Deploy", "--services=backend", "--version=0.2.2");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(run));
        Assert.That(run.StandardError, Does.Contain(message));
        Assert.That(rig.App.Containers(), Is.Empty, "nothing was deployed");
        Assert.That(Directory.Exists(rig.ServerFile(".octavios/deploy.lock")), Is.False, "the lock is released");
        Assert.That(Directory.Exists(rig.ServerFile("backups")) ? Directory.GetFiles(rig.ServerFile("backups")) : [], Is.Empty, "no partial backup left");
    }
}
