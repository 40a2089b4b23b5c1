using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// Start-first deploys on the real rig, behind the example's Caddy proxy (it re-resolves Docker's DNS every second,
/// retries within a second, does no health checks of its own), under a bounded load probe on loopback.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class ZeroDowntimeTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, Output(run));

    [Test]
    public void DeployAFailingReleaseAndRollbackEachLoseNoRequest()
    {
        using var rig = new ProdRig(registryAuth: true);
        // web's PID 1 ignores SIGTERM (busybox httpd without STOPSIGNAL) and has a short grace period: its report is checked below.
        var web = Path.Combine(rig.App.Directory, "apps", "web", "Dockerfile");
        File.WriteAllText(web, File.ReadAllText(web).Replace("STOPSIGNAL SIGKILL\n", ""));
        var production = Path.Combine(rig.App.Directory, "infra", "docker-compose.production.yml");
        File.WriteAllText(production, File.ReadAllText(production).Replace("  web:\n    restart: unless-stopped\n", "  web:\n    restart: unless-stopped\n    stop_grace_period: 3s\n"));
        rig.App.Commit("web ignores SIGTERM, 3 s grace");
        Ok(rig.Run(null, "--target=Deploy", "--services=all", "--version=0.2.2"));
        var before = rig.App.Containers();

        var validate = rig.Run(null, "--target=Validate", "--exclusive", "--services=all");
        Ok(validate);
        Assert.That(validate.StandardOutput, Does.Contain("compose.start-first").And.Contain("proxy").And.Contain("ports"), "the proxy's fixed ports are named");

        File.AppendAllText(Path.Combine(rig.App.Directory, "apps", "backend", "www", "index.html"), "release 0.2.3\n");
        rig.App.Commit("backend 0.2.3");
        rig.Push("0.2.3", "backend");
        var url = $"http://127.0.0.1:{rig.App.PortBase + 1}/";
        using (var sampler = new RunningSampler(rig.App.Project, "backend"))
        using (var probe = new LoadProbe(url + "api/health"))
        {
            Thread.Sleep(1500);
            Ok(rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.3"));
            Thread.Sleep(2000);
            probe.Stop();
            TestContext.Out.WriteLine($"deploy 0.2.3: {probe}");
            Assert.That((probe.Failures.Count, probe.Sent >= 100), Is.EqualTo((0, true)), probe.ToString());
            Assert.That(sampler.Lowest, Is.GreaterThanOrEqualTo(1), "never a moment without a running backend container");
        }

        var after = rig.App.Containers();
        foreach (var other in new[] { "web", "file-manager", "bank-advisor", "aletheia", "proxy" })
            Assert.That(after[other].Id, Is.EqualTo(before[other].Id), $"{other} untouched");
        Assert.That(after["backend"].Image, Does.EndWith(":0.2.3"));
        using (var http = new HttpClient())
            Assert.That(http.GetStringAsync(url).GetAwaiter().GetResult(), Does.Contain("release 0.2.3"), "backend answers 0.2.3 through the proxy");

        File.Delete(Path.Combine(rig.App.Directory, "apps", "backend", "www", "api", "health"));
        rig.App.Commit("backend 0.2.4: health endpoint lost");
        rig.Push("0.2.4", "backend");
        using (var probe = new LoadProbe(url + "api/health"))
        {
            var failing = rig.Run(null, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.4");
            probe.Stop();
            TestContext.Out.WriteLine($"deploy 0.2.4 (unhealthy): {probe}");
            Assert.That(failing.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failing));
            Assert.That(probe.Failures, Is.Empty, probe.ToString());
            Assert.That(probe.Sent, Is.GreaterThan(0));
        }

        Assert.That(rig.App.Containers()["backend"].Id, Is.EqualTo(after["backend"].Id), "the 0.2.3 container kept serving, never stopped");
        Assert.That(File.ReadAllLines(rig.ServerFile(".octavios/audit.log"))[^1], Does.Contain("failed").And.Contain("never took traffic"));

        using (var probe = new LoadProbe(url + "api/health"))
        {
            Thread.Sleep(1000);
            Ok(rig.Run(null, "--target=Rollback", "--services=backend"));
            Thread.Sleep(2000);
            probe.Stop();
            TestContext.Out.WriteLine($"rollback: {probe}");
            Assert.That(probe.Failures, Is.Empty, probe.ToString());
        }

        Assert.That(rig.App.Containers()["backend"].Image, Does.EndWith(":0.2.2"));

        File.AppendAllText(Path.Combine(rig.App.Directory, "apps", "web", "www", "index.html"), "web 0.2.3\n");
        rig.App.Commit("web 0.2.3");
        var slow = rig.Run(null, "--target=Deploy", "--services=web", "--version=0.2.3");
        Ok(slow);
        Assert.That(Output(slow), Does.Contain("web: its old container took").And.Contain("PID 1 ignores SIGTERM").And.Contain("init: true"));

        var proxy = rig.Run(null, "--target=Deploy", "--services=proxy", "--version=0.2.3");
        Ok(proxy);
        Assert.That(Output(proxy), Does.Contain("proxy: recreated, so it is down while it restarts"));
    }
}
