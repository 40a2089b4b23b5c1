using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Host;

/// <summary>Every bad input stops the run before any task starts, with a specific message and exit code 2.</summary>
public class BadInputTests
{
    private static string Refused(params string[] args)
    {
        var (code, output) = SuiteRun.Run([.. args, $"--config={SuiteRun.ExampleConfig}"]);
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput), output);
        Assert.That(SuiteRun.Report(output), Is.Empty, "no task may run on bad input");
        return output;
    }

    [Test]
    public void UnknownServiceNamesTheValueAndTheValidOnes() =>
        Assert.That(Refused("--target=Deploy", "--services=backend,payments", "--version=0.2.3"),
            Does.Contain("'payments'").And.Contain("backend, web, file-manager, bank-advisor, aletheia"));

    [TestCase("latest", "is refused")]
    [TestCase("0.2", "not a release version")]
    [TestCase("v0.2.3", "not a release version")]
    [TestCase("01.2.3", "not a release version")]
    [TestCase("0.2.3$(id)", "not a release version")]
    public void MalformedVersionIsRefused(string version, string reason) =>
        Assert.That(Refused("--target=Deploy", "--services=backend", $"--version={version}"),
            Does.Contain(reason).And.Contain("0.2.3"));

    [Test]
    public void MissingVersionNamesTheArgumentAndTheTasksThatNeedIt() =>
        Assert.That(Refused("--target=Deploy", "--services=backend"),
            Does.Contain("--version").And.Contain("Build").And.Contain("Deploy"));

    [Test]
    public void MissingServicesIsRefusedForDeploy() =>
        Assert.That(Refused("--target=Deploy", "--version=0.2.3"), Does.Contain("--services"));

    [Test]
    public void UnknownTargetListsTheValidOnes() =>
        Assert.That(Refused("--target=Deplyo"), Does.Contain("'Deplyo'").And.Contain("Deploy, Detect"));

    [Test]
    public void UnknownEnvironmentListsTheValidOnes() =>
        Assert.That(Refused("--target=Validate", "--env=staging"), Does.Contain("'staging'").And.Contain("local, prod"));

    [Test]
    public void AllCannotBeMixedWithNames() =>
        Assert.That(Refused("--target=Validate", "--services=all web"), Does.Contain("'all' cannot be combined"));

    [Test]
    public void AMisspelledArgumentIsRefused() =>
        Assert.That(Refused("--target=Validate", "--service=web"), Does.Contain("Did you mean --services"));

    [Test]
    public void AMissingConfigurationFileIsNamed()
    {
        var (code, output) = SuiteRun.Run("--target=Validate", "--config=/nonexistent/octavios.build.yml");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(output, Does.Contain("/nonexistent/octavios.build.yml"));
    }

    [Test]
    public void ValidateReportsAnSshEnvironmentWithoutItsServerVariables()
    {
        Assert.That(Environment.GetEnvironmentVariable("DEPLOY_SERVER"), Is.Null.Or.Empty, "test assumes DEPLOY_SERVER unset");
        var (code, output) = SuiteRun.Run("--target=Validate", "--env=prod", "--exclusive", $"--config={SuiteRun.ExampleConfig}");
        Assert.That(code, Is.EqualTo(ExitCodes.Failed), output);
        Assert.That(output, Does.Match(@"server\.variables +DEPLOY_SERVER is not set").And.Contain("DEPLOY_PROJECT_DIR is not set"));
    }
}
