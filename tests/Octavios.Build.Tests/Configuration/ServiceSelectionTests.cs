using Octavios.Deploy;
using Octavios.Deploy.Configuration;

namespace Octavios.Build.Tests.Configuration;

public class ServiceSelectionTests
{
    private static readonly string[] Known = ["backend", "web", "file-manager"];

    [TestCase("backend", new[] { "backend" })]
    [TestCase("backend web", new[] { "backend", "web" })]
    [TestCase("web,backend", new[] { "backend", "web" })]
    [TestCase(" web ,  file-manager ", new[] { "web", "file-manager" })]
    [TestCase("all", new[] { "backend", "web", "file-manager" })]
    public void Parses(string value, string[] expected) =>
        Assert.That(ServiceSelection.Parse([value], Known).Names, Is.EqualTo(expected));

    [Test]
    public void RepeatedValuesAddUp() =>
        Assert.That(ServiceSelection.Parse(["web", "backend"], Known).Names, Is.EqualTo(new[] { "backend", "web" }));

    [Test]
    public void ChangedIsLeftToDetect()
    {
        var selection = ServiceSelection.Parse(["changed"], Known);
        Assert.That(selection.IsChanged, Is.True);
        Assert.That(selection.Names, Is.Empty);
    }

    [TestCase("")]
    [TestCase(" , ")]
    public void EmptyIsRefused(string value) =>
        Assert.That(Assert.Throws<DeployInputException>(() => ServiceSelection.Parse([value], Known))!.Message, Does.Contain("empty"));

    [Test]
    public void HostileNamesAreRefused() =>
        Assert.That(Assert.Throws<DeployInputException>(() => ServiceSelection.Parse(["backend;touch /tmp/pwned"], Known))!.Message,
            Does.Contain("'backend;touch'"));
}
