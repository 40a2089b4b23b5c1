using Octavios.Deploy.Records;
using Octavios.Deploy;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Health;
using Octavios.Deploy.Maintenance;
using Octavios.Deploy.Remote;

namespace Octavios.Build.Tests.Deployment;

/// <summary>The pure pieces of Deploy, Verify, Rollback and Prune.</summary>
public class DeployPiecesTests
{
    [Test]
    public void VersionsFileRoundTrips()
    {
        var versions = new Dictionary<string, string> { ["WEB_VERSION"] = "0.2.2", ["BACKEND_VERSION"] = "0.2.3" };
        var text = VersionsFile.Format(versions);
        Assert.That(text, Does.EndWith("BACKEND_VERSION=0.2.3\nWEB_VERSION=0.2.2\n"));
        Assert.That(VersionsFile.Parse(text), Is.EqualTo(versions));
        Assert.That(VersionsFile.Parse(""), Is.Empty);
    }

    [Test]
    public void AuditLineIsOneJsonObject()
    {
        var line = new AuditEntry("deploy", "ci@runner", new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), "prod", ["backend"],
            new Dictionary<string, string?> { ["BACKEND_VERSION"] = "0.2.2" }, new Dictionary<string, string> { ["BACKEND_VERSION"] = "0.2.3" }, "succeeded", 12.34).ToJsonLine();
        Assert.That(line, Is.EqualTo("{\"action\":\"deploy\",\"who\":\"ci@runner\",\"when\":\"2026-11-28T10:00:00Z\",\"environment\":\"prod\",\"services\":[\"backend\"],\"from\":{\"BACKEND_VERSION\":\"0.2.2\"},\"to\":{\"BACKEND_VERSION\":\"0.2.3\"},\"result\":\"succeeded\",\"duration_s\":12.3}\n"));
    }

    [Test]
    public void DependsOnGivesWaves()
    {
        var files = new[]
        {
            ComposeFile.Parse("a.yml", "services:\n  web:\n    depends_on: [backend]\n  backend:\n    depends_on:\n      db: {condition: service_healthy}\n  db: {}\n  worker: {}\n"),
        };
        Assert.That(DependencyOrder.Waves(files, ["web", "backend", "db", "worker"]).Select(w => string.Join(",", w)),
            Is.EqualTo(new[] { "db,worker", "backend", "web" }));
        Assert.That(DependencyOrder.Waves(files, ["web"]).Single(), Is.EqualTo(new[] { "web" }), "a dependency outside the selection does not hold it back");
    }

    [Test]
    public void ADependencyCycleIsReported()
    {
        var files = new[] { ComposeFile.Parse("a.yml", "services:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n") };
        Assert.That(Assert.Throws<InvalidOperationException>(() => DependencyOrder.Waves(files, ["a", "b"]))!.Message, Does.Contain("cycle"));
    }

    [Test]
    public void CorsHeaderAndLogErrorsAreRead()
    {
        Assert.That(RuntimeVerifier.AllowedOrigin("HTTP/1.1 200 OK\r\naccess-control-allow-origin: https://a.b\r\n\r\n"), Is.EqualTo("https://a.b"));
        Assert.That(RuntimeVerifier.AllowedOrigin("HTTP/1.1 200 OK\r\n\r\n"), Is.Null);
        Assert.That(RuntimeVerifier.ErrorLines("ok\nERROR: db down\nterrorism is a word\nTraceback (most recent call last):\n"),
            Is.EqualTo(new[] { "ERROR: db down", "Traceback (most recent call last):" }));
    }

    [Test]
    public void ContainerFactsPassesIdTimeAndNamesAsArguments()
    {
        var command = Octavios.Deploy.Commands.HealthCommands.ContainerFacts("abc123", ["SECRET_KEY", "JWT_SECRET_KEY"], new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        Assert.That(command.Args.Select(a => a.Value).TakeLast(5), Is.EqualTo(new[] { Octavios.Deploy.Commands.HealthCommands.LogStart, "abc123", "2026-11-29T12:00:00Z", "SECRET_KEY", "JWT_SECRET_KEY" }));
        Assert.That(command.Args[1].Value, Does.Not.Contain("abc123").And.Not.Contain("SECRET_KEY"));
        Assert.That(RuntimeVerifier.Sha256("abc"), Is.EqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    [Test]
    public void HealthAnswersAreSplitPerUrl()
    {
        var end = Octavios.Deploy.Commands.HealthCommands.AnswerEnd;
        var answers = HttpHealthVerifier.Answers($"{{\"status\":\"healthy\"}}\n200\n{end}0\ncurl: (7) Failed to connect\n000\n{end}7\n");
        Assert.That(answers, Has.Count.EqualTo(2));
        Assert.That(answers[0], Is.EqualTo((0, "{\"status\":\"healthy\"}\n200")));
        Assert.That(answers[1].Exit, Is.EqualTo(7));
        Assert.That(HttpHealthVerifier.Judge(new HealthConfig { Url = "http://x/h", ExpectStatus = 200, JsonField = "status", JsonValue = "healthy" }, answers[0].Output), Is.Null);
    }

    [Test]
    public void StateChangeWatchPassesIdsAndWhatWasSeenAsArguments()
    {
        var command = Octavios.Deploy.Commands.DockerCommands.AwaitStateChange(["id1", "id2"], "running starting 0\nrunning starting 0", 4);
        Assert.That(command.Args.Select(a => a.Value).TakeLast(4), Is.EqualTo(new[] { "running starting 0\nrunning starting 0", "4", "id1", "id2" }));
        Assert.That(command.Timeout, Is.EqualTo(TimeSpan.FromSeconds(34)));
        var byService = Octavios.Deploy.Commands.DockerCommands.AwaitStateChange("octavios", "backend", "", 0);
        Assert.That(byService.Args.Select(a => a.Value).TakeLast(5), Is.EqualTo(new[] { "", "0", "--service", "octavios", "backend" }));
        // A window's last part, to the tenth of a second (timeout takes it as it is).
        Assert.That(Octavios.Deploy.Commands.DockerCommands.AwaitStateChange(["id1"], "x", 2.5).Args[^2].Value, Is.EqualTo("2.5"));
    }

    private static ImageTag Tag(string tag, string id) => new("r/octavios/backend", tag, id);

    [Test]
    public void PruneKeepsTheRunningTheNewerTheKeptTheRollbackAndTheUsed()
    {
        var tags = new[]
        {
            Tag("0.1.0", "i010"), Tag("0.1.0-20261101-1200", "i010"), Tag("0.2.0", "i020"), Tag("0.2.1", "i021"), Tag("0.2.2", "i022"),
            Tag("0.2.3", "i023"), Tag("0.2.4", "i024"), Tag("latest", "i024"), Tag("0.1.5", "used"),
        };
        var removable = PrunePlan.Removable(tags, running: "0.2.3", rollback: "0.2.0", keep: 2, imagesInUse: new HashSet<string> { "used" });
        Assert.That(removable.Select(t => t.Tag), Is.EqualTo(new[] { "0.1.0", "0.1.0-20261101-1200" }));
    }

    [Test]
    public void PruneRemovesNothingWithoutARunningVersion() =>
        Assert.That(PrunePlan.Removable([Tag("0.1.0", "a")], running: null, rollback: null, keep: 0, imagesInUse: new HashSet<string>()), Is.Empty);

    [TestCase("0.2.3-20261128-1000", "0.2.3")]
    [TestCase("1.0.0-rc.1", "1.0.0-rc.1")]
    [TestCase("latest", null)]
    public void PruneKnowsWhichReleaseATagBelongsTo(string tag, string? release) => Assert.That(PrunePlan.ReleaseOf(tag), Is.EqualTo(release));

    [TestCase("deploy@prod.example.com", "deploy", "prod.example.com", 0)]
    [TestCase("prod", "", "prod", 0)]
    [TestCase("root@127.0.0.1:2222", "root", "127.0.0.1", 2222)]
    [TestCase("ci@[::1]:22", "ci", "::1", 22)]
    public void ServerAddresses(string text, string user, string host, int port) =>
        Assert.That(ServerAddress.Parse(text), Is.EqualTo(new ServerAddress(user, host, port)));

    [TestCase("root@host;rm -rf /")]
    [TestCase("root@host:99999")]
    [TestCase("-oProxyCommand=x@host")]
    public void BadServerAddressesAreRefused(string text) => Assert.Throws<DeployInputException>(() => ServerAddress.Parse(text));

    [Test]
    public void KnownHostsMatchesPlainHashedAndPortedEntries()
    {
        var key = new byte[] { 1, 2, 3 };
        var other = new byte[] { 9, 9, 9 };
        var salt = new byte[20];
        using var hmac = new System.Security.Cryptography.HMACSHA1(salt);
        var hashed = Convert.ToBase64String(hmac.ComputeHash("[10.0.0.5]:2222"u8.ToArray()));
        var hosts = KnownHosts.Parse(
        [
            $"prod.example.com,10.0.0.4 ssh-ed25519 {Convert.ToBase64String(key)}",
            $"|1|{Convert.ToBase64String(salt)}|{hashed} ssh-ed25519 {Convert.ToBase64String(key)}",
            "# a comment",
            $"ecdsa-only.example.com ecdsa-sha2-nistp256 {Convert.ToBase64String(other)}",
            $"@revoked * ssh-ed25519 {Convert.ToBase64String(new byte[] { 6, 6, 6 })}",
        ]);
        Assert.That(hosts.Verify("prod.example.com", 22, "ssh-ed25519", key), Is.EqualTo(HostKeyVerdict.Known));
        Assert.That(hosts.Verify("10.0.0.5", 2222, "ssh-ed25519", key), Is.EqualTo(HostKeyVerdict.Known));
        Assert.That(hosts.Verify("10.0.0.4", 22, "ssh-ed25519", other), Is.EqualTo(HostKeyVerdict.Changed));
        Assert.That(hosts.Verify("10.0.0.4", 2200, "ssh-ed25519", key), Is.EqualTo(HostKeyVerdict.Unknown));
        Assert.That(KnownHosts.Line("h", 2200, "ssh-ed25519", key), Is.EqualTo("[h]:2200 ssh-ed25519 AQID"));
        Assert.That(hosts.Verify("ecdsa-only.example.com", 22, "ssh-ed25519", key), Is.EqualTo(HostKeyVerdict.KnownOtherType), "accept-new: a host known by another key type");
        Assert.That(hosts.Verify("new.example.com", 22, "ssh-ed25519", new byte[] { 6, 6, 6 }), Is.EqualTo(HostKeyVerdict.Revoked));
    }
}
