using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;

namespace Octavios.Deploy.Deployment;

/// <summary>Pulls and recreates exactly the planned services on one target, then waits for them to be healthy.</summary>
public sealed class ComposeDeployer(ICommandRunner runner, IDeployLog log)
{
    public async Task DeployAsync(DeployPlan plan, CancellationToken cancellation = default)
    {
        var compose = plan.Compose(await ComposeFlavorProbe.DetectAsync(runner, log, cancellation));
        if (plan.Pull) await runner.RunAsync(compose.Pull(plan.Services), cancellation);
        await runner.RunAsync(compose.Up(plan.Services), cancellation);
        await new ContainerHealthGate(runner, log, TimeSpan.FromSeconds(1))
            .WaitAsync(compose, plan.Services, plan.HealthTimeout, cancellation);
    }
}
