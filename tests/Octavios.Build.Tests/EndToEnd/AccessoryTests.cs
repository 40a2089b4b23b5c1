using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// Accessories on the real server over ssh: a redis (built from Debian's redis-tools) the releases do not own, and a
/// database under the profile local that prod never runs. Validate, the Accessory target, a Deploy of everything, a backup restored.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class AccessoryTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static readonly string[] Services = ["backend", "web", "file-manager", "bank-advisor", "aletheia", "proxy"];

    [Test]
    public void AnAccessoryIsBootedNeverRecreatedByADeployOfEverythingAndItsBackupRestores()
    {
        using var rig = new ProdRig();
        File.AppendAllText(Path.Combine(rig.App.Directory, "infra", "docker-compose.yml"),
            "  cache:\n    image: redis:7.0\n    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n      interval: 1s\n      retries: 20\n" +
            "  db:\n    image: redis:7.0\n    profiles: [local]\n");
        File.AppendAllText(rig.App.ConfigPath,
            "accessories:\n  cache:\n    backup:\n      command: redis-cli SAVE >/dev/null && cat /data/dump.rdb\n      extension: rdb\n  db: {}\n");
        rig.App.Commit("a cache beside the releases, a database for local work only");
        rig.Push("0.2.2", Services);
        string? Cache() => rig.App.Containers().TryGetValue("cache", out var cache) ? cache.Id : null;

        var before = rig.Run(null, "--target=Validate", "--exclusive", "--services=backend");
        Assert.That(before.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(before));
        Assert.That(before.StandardOutput, Does.Contain("accessory cache (cache) is not running").And.Contain("--target=Accessory")
            .And.Contain("accessory db runs under profile local, not active here").And.Contain("active profiles: none"));

        var boot = rig.Run(null, "--target=Accessory", "--accessory=cache", "--action=boot");
        Assert.That(boot.ExitCode, Is.Zero, Output(boot));
        var cache = Cache();
        Assert.That(cache, Is.Not.Null, "booted");
        var local = rig.Run(null, "--target=Accessory", "--accessory=db", "--action=boot");
        Assert.That(local.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(local));
        Assert.That(Output(local), Does.Contain("accessory db runs under profile local, which this environment does not activate"));
        Assert.That(rig.App.Containers().ContainsKey("db"), Is.False, "prod never starts the local database");

        var deploy = rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2");
        Assert.That(deploy.ExitCode, Is.Zero, Output(deploy));
        Assert.That(deploy.StandardOutput, Does.Contain("accessory cache (cache) runs, healthy"));
        Assert.That(Cache(), Is.EqualTo(cache), "a deploy of every service never recreates the accessory");
        Assert.That(rig.Run(null, "--target=Accessory", "--accessory=cache", "--action=boot").ExitCode, Is.Zero);
        Assert.That(Cache(), Is.EqualTo(cache), "booting a running accessory leaves it as it is");

        Shell.Docker("exec", cache!, "redis-cli", "SET", "order:42", "paid");
        var backup = rig.Run(null, "--target=Accessory", "--accessory=cache", "--action=backup");
        Assert.That(backup.ExitCode, Is.Zero, Output(backup));
        var directory = rig.ServerFile("backups");
        var kept = Directory.GetFiles(directory, "cache-*.rdb").Single();
        Assert.That(File.GetUnixFileMode(kept), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(backup.StandardOutput, Does.Contain($"cache backed up as backups/{Path.GetFileName(kept)}"));

        // The backup restores: the data gone, the dump put back while it is stopped, the row read again.
        Shell.Docker("exec", cache, "redis-cli", "FLUSHALL");
        Shell.Docker("stop", cache);
        Shell.Docker("cp", kept, $"{cache}:/data/dump.rdb");
        var restart = rig.Run(null, "--target=Accessory", "--accessory=cache", "--action=restart");
        Assert.That(restart.ExitCode, Is.Zero, Output(restart));
        Assert.That(Shell.Docker("exec", cache, "redis-cli", "GET", "order:42"), Is.EqualTo("paid"));

        var logs = rig.Run(null, "--target=Accessory", "--accessory=cache", "--action=logs", "--tail=5");
        Assert.That(logs.ExitCode, Is.Zero, Output(logs));
        Assert.That(logs.StandardOutput, Does.Contain($"--- cache ({cache[..12]}, running) ---"));
        var unknown = rig.Run(null, "--target=Accessory", "--accessory=cache", "--action=drop");
        Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.BadInput), Output(unknown));
        Assert.That(Output(unknown), Does.Contain("--action='drop': expected boot, restart, logs or backup"));
    }
}
