using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>
/// compose.start-first: a service that cannot run two containers at once (a fixed host port, a container_name) is
/// deployed by recreating it, down while it restarts; said before the deploy, with what to change.
/// </summary>
public static class StrategyChecks
{
    public static IEnumerable<Finding> Run(IReadOnlyList<ComposeFile> files, IEnumerable<SelectedService> services)
    {
        foreach (var service in services)
        {
            var plan = ServicePlan.For(files, service);
            if (plan.Strategy != Strategy.Recreate || service.Settings.Strategy == "recreate" || plan.Shape.Obstacle is not { } obstacle) continue;
            yield return Finding.Warning("compose.start-first",
                $"{service}: {obstacle.Key} {obstacle.Value} at {obstacle.Where} cannot be held by two containers, so it is deployed by recreating it and is down while it " +
                "restarts. Publish it through a reverse proxy (see README, Zero downtime), or set its strategy: recreate to say so.");
        }
    }
}
