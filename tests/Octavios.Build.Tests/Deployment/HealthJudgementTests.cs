using Octavios.Deploy.Configuration;
using Octavios.Deploy.Health;

namespace Octavios.Build.Tests.Deployment;

public class HealthJudgementTests
{
    [TestCase("running healthy 0", ContainerVerdict.Healthy)]
    [TestCase("running none 0", ContainerVerdict.Healthy)]
    [TestCase("running starting 0", ContainerVerdict.Waiting)]
    [TestCase("created none 0", ContainerVerdict.Waiting)]
    [TestCase("running unhealthy 0", ContainerVerdict.Failed)]
    [TestCase("restarting none 1", ContainerVerdict.Failed)]
    [TestCase("running starting 2", ContainerVerdict.Failed)]
    [TestCase("exited none 0", ContainerVerdict.Failed)]
    [TestCase("dead none 0", ContainerVerdict.Failed)]
    [TestCase("", ContainerVerdict.Waiting)]
    public void ContainerState(string line, ContainerVerdict expected) =>
        Assert.That(ContainerHealthGate.Judge(line + "\n").Verdict, Is.EqualTo(expected));

    private static readonly HealthConfig Backend = new() { Url = "http://x/api/health", ExpectStatus = 200, JsonField = "status", JsonValue = "healthy" };

    [Test]
    public void HealthyAnswer() => Assert.That(HttpHealthVerifier.Judge(Backend, "{\"status\":\"healthy\"}\n200"), Is.Null);

    [Test]
    public void WrongStatus() => Assert.That(HttpHealthVerifier.Judge(Backend, "oops\n503"), Does.Contain("503"));

    [Test]
    public void WrongField() =>
        Assert.That(HttpHealthVerifier.Judge(Backend, "{\"status\":\"degraded\"}\n200"), Does.Contain("'degraded', expected 'healthy'"));

    [Test]
    public void MissingField() => Assert.That(HttpHealthVerifier.Judge(Backend, "{}\n200"), Does.Contain("no field 'status'"));

    [Test]
    public void NotJson() => Assert.That(HttpHealthVerifier.Judge(Backend, "<html>\n200"), Does.Contain("not JSON"));

    [Test]
    public void StatusOnlyCheck() =>
        Assert.That(HttpHealthVerifier.Judge(new HealthConfig { Url = "http://x/", ExpectStatus = 204 }, "\n204"), Is.Null);
}
