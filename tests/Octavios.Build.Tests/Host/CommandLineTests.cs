using Cake.Core.Diagnostics;
using Octavios.Build.Host;

namespace Octavios.Build.Tests.Host;

public class CommandLineTests
{
    [Test]
    public void EqualsFormAndSpaceFormGiveTheSameValue()
    {
        var a = CommandLine.Parse(["--services=backend", "--version=0.2.3"]);
        var b = CommandLine.Parse(["--services", "backend", "--version", "0.2.3"]);
        Assert.That(a.Arguments["services"].Single(), Is.EqualTo("backend"));
        Assert.That(b.Arguments["services"].Single(), Is.EqualTo("backend"));
        Assert.That(b.Arguments["version"].Single(), Is.EqualTo("0.2.3"));
    }

    [Test]
    public void NamesAreCaseInsensitive()
    {
        var line = CommandLine.Parse(["--SERVICES=web", "--Target=Deploy"]);
        Assert.That(line.Arguments["services"].Single(), Is.EqualTo("web"));
        Assert.That(line.Targets, Is.EqualTo(new[] { "Deploy" }));
    }

    [Test]
    public void RepeatedArgumentsKeepEveryValueInOrder()
    {
        var line = CommandLine.Parse(["--services=backend", "--services", "web"]);
        Assert.That(line.Arguments["services"], Is.EqualTo(new[] { "backend", "web" }));
    }

    [Test]
    public void TargetDefaultsToDefaultAndMayRepeat()
    {
        Assert.That(CommandLine.Parse([]).Targets, Is.EqualTo(new[] { "Default" }));
        Assert.That(CommandLine.Parse(["-t", "Build", "--target=Push"]).Targets, Is.EqualTo(new[] { "Build", "Push" }));
    }

    [Test]
    public void CakeOptionsAreNotBuildArguments()
    {
        var line = CommandLine.Parse(["--target=Verify", "--exclusive", "--verbosity=diagnostic", "--dryrun"]);
        Assert.That(line.Exclusive, Is.True);
        Assert.That(line.Verbosity, Is.EqualTo(Verbosity.Diagnostic));
        Assert.That(line.Mode, Is.EqualTo(HostMode.DryRun));
        Assert.That(line.Arguments.Count, Is.Zero);
    }

    [TestCase("--tree", HostMode.Tree)]
    [TestCase("--help", HostMode.Help)]
    [TestCase("-h", HostMode.Help)]
    [TestCase("--description", HostMode.Description)]
    [TestCase("--info", HostMode.Info)]
    [TestCase("--noop", HostMode.DryRun)]
    [TestCase("--whatif", HostMode.DryRun)]
    public void ModeFlags(string flag, HostMode mode) => Assert.That(CommandLine.Parse([flag]).Mode, Is.EqualTo(mode));

    [Test]
    public void AFlagFollowedByAnotherOptionTakesNoValue()
    {
        var line = CommandLine.Parse(["--no-cache", "--version=1.0.0"]);
        Assert.That(line.Arguments["no-cache"].Single(), Is.EqualTo("true"));
        Assert.That(line.Arguments["version"].Single(), Is.EqualTo("1.0.0"));
    }

    [Test]
    public void VersionIsABuildArgumentNotTheSuitesVersion()
    {
        var line = CommandLine.Parse(["--version=0.2.3"]);
        Assert.That(line.Mode, Is.EqualTo(HostMode.Run));
        Assert.That(line.Arguments["version"].Single(), Is.EqualTo("0.2.3"));
    }

    [Test]
    public void ABareWordIsRefused()
    {
        var error = Assert.Throws<BuildInputException>(() => CommandLine.Parse(["Deploy"]));
        Assert.That(error!.Message, Does.Contain("'Deploy'"));
    }

    [Test]
    public void AnUnknownVerbosityNamesTheValidOnes()
    {
        var error = Assert.Throws<BuildInputException>(() => CommandLine.Parse(["--verbosity=loud"]));
        Assert.That(error!.Message, Does.Contain("'loud'").And.Contain("diagnostic"));
    }

    [TestCase("q", Verbosity.Quiet)]
    [TestCase("minimal", Verbosity.Minimal)]
    [TestCase("verbose", Verbosity.Verbose)]
    public void VerbosityNames(string value, Verbosity expected) =>
        Assert.That(CommandLine.Parse(["-v", value]).Verbosity, Is.EqualTo(expected));
}
