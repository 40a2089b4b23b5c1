using Octavios.Deploy.Registry;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Images;
using Octavios.Deploy.Health;

namespace Octavios.Deploy.Deployment;

/// <summary>Pulls and recreates exactly the planned services on one target, then waits for them to be healthy.</summary>
public sealed class ComposeDeployer(ICommandRunner runner, IDeployLog log)
{
    /// <summary>With <paramref name="credentials"/>, the target logs in to the registry first (password through stdin), so a pull never depends on a stale login there.</summary>
    public async Task DeployAsync(DeployPlan plan, string registry, RegistryCredentials? credentials, CancellationToken cancellation = default)
    {
        var compose = plan.Compose(await ComposeFlavorProbe.DetectAsync(runner, log, cancellation));
        if (plan.Pull && credentials is not null)
            await runner.RunAsync(DockerCommands.Login(registry, credentials.Username, credentials.Password), cancellation);
        if (plan.Pull) await runner.RunAsync(compose.Pull(plan.Services), cancellation);
        await runner.RunAsync(compose.Up(plan.Services), cancellation);
        await new ContainerHealthGate(runner, log, TimeSpan.FromSeconds(1))
            .WaitAsync(compose, plan.Services, plan.HealthTimeout, cancellation);
    }
}
