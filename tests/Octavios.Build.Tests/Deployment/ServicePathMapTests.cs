using Octavios.Deploy.Configuration;
using Octavios.Deploy.Detection;

namespace Octavios.Build.Tests.Deployment;

public class ServicePathMapTests
{
    private static SuiteConfig Config() => new()
    {
        SharedPaths = ["infra/**", "packages/shared/*.json"],
        Services = new()
        {
            ["backend"] = new ServiceConfig { Paths = ["apps/backend/**"] },
            ["web"] = new ServiceConfig { Paths = ["apps/web/**", "packages/ui/**"] },
        },
    };

    private static Dictionary<string, IReadOnlyList<string>> Map(params string[] paths) =>
        ServicePathMap.Map(Config(), paths).ToDictionary(c => c.Service, c => c.Files);

    [Test]
    public void AFileBelongsToItsService() =>
        Assert.That(Map("apps/backend/src/main.py").Keys, Is.EqualTo(new[] { "backend" }));

    [Test]
    public void ASharedPathMeansEveryService()
    {
        var map = Map("infra/docker-compose.yml");
        Assert.That(map.Keys, Is.EqualTo(new[] { "backend", "web" }));
        Assert.That(map["web"], Is.EqualTo(new[] { "infra/docker-compose.yml" }));
    }

    [Test]
    public void SeveralGlobsPerService() =>
        Assert.That(Map("packages/ui/button.tsx")["web"], Is.EqualTo(new[] { "packages/ui/button.tsx" }));

    [Test]
    public void UnrelatedFilesChangeNothing() => Assert.That(Map("README.md", "docs/x.md"), Is.Empty);

    [Test]
    public void SingleStarDoesNotCrossFolders()
    {
        Assert.That(Map("packages/shared/config.json").Keys, Is.EqualTo(new[] { "backend", "web" }));
        Assert.That(Map("packages/shared/deep/config.json"), Is.Empty);
    }

    [Test]
    public void TheTriggeringFilesAreListed() =>
        Assert.That(Map("apps/backend/a.py", "apps/backend/b.py")["backend"], Is.EqualTo(new[] { "apps/backend/a.py", "apps/backend/b.py" }));
}
