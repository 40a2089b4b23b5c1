using Octavios.Build.Host;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Health;

namespace Octavios.Build.Tasks;

[TaskName("Verify")]
[TaskDescription("From the target: health URLs answer, critical variables inside the containers match the env file (by hash), log errors since the deploy, CORS. Alone with --exclusive.")]
[IsDependentOn(typeof(DeployTask))]
public sealed class VerifyTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context) => context.HasServices();

    public override async Task RunAsync(BuildContext context)
    {
        var runner = context.Target.Runner;
        if (context.Options.Environment.Kind == Deploy.Configuration.EnvironmentKind.Swarm)
        {
            var recorded = ServerRecords.Parse((await runner.RunAsync(ServerRecords.Read(), context.Cancellation)).StandardOutput).Current;
            var expected = context.Options.Version is { } version ? context.Requests.VersionsOf(context.Services, version) : recorded;
            var swarmProblems = await new SwarmVerifier(context.Config, runner, context.DeployLog).CheckAsync(context.Services, expected, context.Cancellation);
            if (swarmProblems.Count > 0) throw new InvalidOperationException("Verify failed:\n  " + string.Join("\n  ", swarmProblems));
            if (!runner.IsDryRun) context.DeployLog.Information($"Verify passed for {string.Join(", ", context.Services)} on the swarm of {context.Target.Label}");
            return;
        }

        // Every host of a fleet, all at once; a problem names its host.
        var envFile = context.LoadEnvFileAsync();
        var fleet = context.Hosts.Count > 1;
        var perHost = await Task.WhenAll(context.Hosts.Select(async host =>
            (await HostAsync(context, host.Runner, envFile)).Select(problem => fleet ? $"[{host.Label}] {problem}" : problem)));
        var problems = perHost.SelectMany(p => p).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Verify failed:\n  " + string.Join("\n  ", problems));
        if (!runner.IsDryRun) context.DeployLog.Information($"Verify passed for {string.Join(", ", context.Services)} on {string.Join(", ", context.Hosts.Select(h => h.Label))}");
    }

    /// <summary>Every check of one host at once over its connection: health URLs, each container's variables and log, CORS.</summary>
    private static async Task<List<string>> HostAsync(BuildContext context, ICommandRunner runner, Task<Deploy.EnvFiles.LoadedEnvFile?> envFile)
    {
        var health = new HttpHealthVerifier(runner, context.DeployLog).CheckAsync(context.Config, context.Services, context.Cancellation);
        var running = (await runner.RunAsync(ContainerCommands.RunningOfProject(context.Config.Compose.Project), context.Cancellation)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split(' ')).Where(p => p.Length == 2).ToList();
        var problems = new List<string>();
        var containers = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var service in context.Services)
        {
            containers[service] = running.Where(r => r[0] == context.Config.Services[service].ComposeService).Select(r => r[1]).ToList();
            if (containers[service].Count == 0 && !runner.IsDryRun) problems.Add($"{service}: no running container");
        }

        var runtime = new RuntimeVerifier(runner, context.DeployLog);
        var facts = runtime.ContainersAsync(containers, envFile, context.Config.Verify.CriticalVariables ?? context.Config.Validation.Secrets,
            context.Plans("Deploy") ? context.StartedAt : DateTimeOffset.UtcNow.AddMinutes(-15), context.Cancellation);
        var cors = context.Config.Verify.Cors is { } corsConfig ? runtime.CorsAsync(corsConfig, context.Cancellation) : Task.FromResult<string?>(null);
        await Task.WhenAll(health, facts, cors);
        problems.InsertRange(0, health.Result);
        problems.AddRange(facts.Result);
        if (cors.Result is { } corsProblem) problems.Add(corsProblem);
        return problems;
    }
}
