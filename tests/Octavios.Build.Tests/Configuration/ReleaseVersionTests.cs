using Octavios.Deploy;
using Octavios.Deploy.Versioning;

namespace Octavios.Build.Tests.Configuration;

public class ReleaseVersionTests
{
    [TestCase("0.2.3")]
    [TestCase("10.20.30")]
    [TestCase("1.0.0-rc.1")]
    [TestCase("1.0.0-alpha-2.x")]
    public void AcceptsSemver(string text) => Assert.That(ReleaseVersion.Parse(text).ToString(), Is.EqualTo(text));

    [TestCase("latest")]
    [TestCase("LATEST")]
    [TestCase("0.2")]
    [TestCase("0.2.3.4")]
    [TestCase("1.02.3")]
    [TestCase("1.0.0-01")]
    [TestCase("1.0.0+build.5")]
    [TestCase("1.0.0-")]
    [TestCase("0.2.3 ")]
    [TestCase("0.2.3;rm -rf /")]
    public void RefusesEverythingElse(string text) => Assert.Throws<DeployInputException>(() => ReleaseVersion.Parse(text));
}
