using Octavios.Deploy.Records;
using Octavios.Deploy.Commands;
using Octavios.Build.Host;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tests.Deployment;

/// <summary>The pure pieces of start-first deploys and the operator's views.</summary>
public class RolloutPiecesTests
{
    private static IReadOnlyList<ComposeFile> Files(params string[] yaml) => yaml.Select((y, i) => ComposeFile.Parse($"f{i}.yml", y)).ToList();

    [Test]
    public void AServiceWithAFixedPortOrAContainerNameCannotRunTwice()
    {
        var files = Files(
            "services:\n  api: {image: a}\n  web: {image: w, ports: ['127.0.0.1:8080:80']}\n  db: {container_name: db}\n  worker: {ports: ['80'], scale: 3, stop_grace_period: 1m30s}\n",
            "services:\n  api: {deploy: {replicas: 2}}\n");
        Assert.That(ServiceShape.Of(files, "api"), Is.EqualTo(new ServiceShape("api", null, null, 2, 10)));
        Assert.That(ServiceShape.Of(files, "web").Obstacle?.Value, Is.EqualTo("127.0.0.1:8080:80"));
        Assert.That(ServiceShape.Of(files, "web").Obstacle?.Where, Is.EqualTo("f0.yml:3"));
        Assert.That(ServiceShape.Of(files, "db").Obstacle?.Key, Is.EqualTo("container_name"));
        var worker = ServiceShape.Of(files, "worker");
        Assert.That((worker.Obstacle, worker.Replicas, worker.StopGraceSeconds), Is.EqualTo(((ComposeValue?)null, 3, 90)), "a container port alone publishes nothing fixed");
        Assert.That(ServiceShape.Seconds("500ms"), Is.EqualTo(1));
        Assert.That(ServiceShape.Seconds("2h"), Is.EqualTo(7200));
        Assert.That(ServiceShape.Seconds("soon"), Is.Null);
    }

    /// <summary>The commands a dry run of a start-first rollout prints, in order.</summary>
    private sealed class DryRunLines : Octavios.Deploy.Execution.IDeployLog
    {
        public List<string> Commands { get; } = [];

        public void Information(string message)
        {
            if (message.StartsWith("[dry run]", StringComparison.Ordinal)) Commands.Add(message);
        }

        public void Verbose(string message) { }

        public void Warning(string message) { }

        public void Error(string message) { }
    }

    [TestCase(1, 2, 1, new[] { "scale=3", "stop a", "stop b" })]
    [TestCase(3, 1, 1, new[] { "scale=2", "stop a", "scale=2", "scale=3" })]
    [TestCase(2, 3, 2, new[] { "scale=5", "stop a", "stop b", "stop c" })]
    public async Task AStartFirstRolloutMakesTheReplicasTheComposeFilesSetWhateverRuns(int replicas, int running, int batch, string[] expected)
    {
        var config = new Octavios.Deploy.Configuration.SuiteConfig();
        config.Deploy.BatchSize = batch;
        config.Deploy.DrainSeconds = 0;
        var log = new DryRunLines();
        var rollout = new Rollout(config, new Octavios.Deploy.Execution.DryRunCommandRunner("h", log), log);
        var plan = new ServicePlan("api", "api", new ServiceShape("api", null, null, replicas, 10), Strategy.StartFirst, null);
        var old = "abc".Take(running).Select(id => new ServiceContainer(id.ToString(), "running", "r/api:1")).ToList();
        var compose = ComposeCommands.ForProject(config, ComposeFlavor.V1, null, new Dictionary<string, string>());

        await rollout.ApplyAsync(compose, [plan], new Dictionary<string, IReadOnlyList<ServiceContainer>> { ["api"] = old }, CancellationToken.None);

        var steps = log.Commands.Select(c => System.Text.RegularExpressions.Regex.Match(c, @"--scale api=(\d+)|docker stop --time 10 (\w)"))
            .Where(m => m.Success).Select(m => m.Groups[1].Success ? $"scale={m.Groups[1].Value}" : $"stop {m.Groups[2].Value}");
        Assert.That(steps, Is.EqualTo(expected));
        Assert.That(log.Commands.Count(c => c.Contains("docker start")), Is.EqualTo(replicas), "as many new containers as the compose files set");
    }

    [Test]
    public void ContainersAreReadAsTheEngineReportsThem() =>
        Assert.That(ServiceContainer.Parse("abc running r/o/backend:0.2.3\ndef exited r/o/backend:0.2.2\n\n"),
            Is.EqualTo(new[] { new ServiceContainer("abc", "running", "r/o/backend:0.2.3"), new ServiceContainer("def", "exited", "r/o/backend:0.2.2") }));

    [Test]
    public void TheJournalKeepsTheContainersToFallBackOn()
    {
        var journal = new DeployJournal("deploy", "t", "a@b", ["backend"], new Dictionary<string, string?> { ["BACKEND_VERSION"] = "0.2.2" },
            new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.3" }, new Dictionary<string, IReadOnlyList<string>> { ["backend"] = ["c1", "c2"] });
        Assert.That(DeployJournal.Parse(journal.Format())!.KeptOf("backend"), Is.EqualTo(new[] { "c1", "c2" }));
        Assert.That(journal.KeptOf("web"), Is.Empty);
    }

    [Test]
    public void HistoryReadsTheAuditLogSkippingDamagedLines()
    {
        var log = """
            {"action":"deploy","who":"a@b","when":"2026-11-29T08:00:00Z","services":["backend"],"from":{"BACKEND_VERSION":"0.2.2"},"to":{"BACKEND_VERSION":"0.2.3"},"result":"succeeded","duration_s":4.2}
            {"action":"dep
            {"action":"deploy","who":"a@b","when":"2026-11-29T08:05:00Z","services":["web"],"from":{"WEB_VERSION":null},"to":{"WEB_VERSION":"0.2.3"},"result":"succeeded","duration_s":3}
            """;
        var all = DeployHistory.Parse(log);
        Assert.That(all.Entries, Has.Count.EqualTo(2));
        Assert.That(all.TableLines().ElementAt(1), Does.Contain("BACKEND_VERSION 0.2.2 -> 0.2.3").And.Contain("succeeded"));
        Assert.That(all.TableLines().ElementAt(2), Does.Contain("WEB_VERSION - -> 0.2.3"));
        Assert.That(DeployHistory.Parse(log, new HashSet<string> { "web" }).Entries, Has.Count.EqualTo(1));
    }

    [TestCase("Deplyo", "Deploy")]
    [TestCase("Statu", "Status")]
    [TestCase("rollbak", "Rollback")]
    public void AMistypedNameFindsTheNearest(string given, string expected) =>
        Assert.That(NearestName.Of(given, ["Deploy", "Detect", "Status", "Rollback", "Validate"]), Does.Contain(expected));
}
