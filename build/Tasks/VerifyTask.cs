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
        var envFile = await context.LoadEnvFileAsync();
        var fleet = context.Hosts.Count > 1;
        var perHost = await Task.WhenAll(context.Hosts.Select(async host =>
            (await HostAsync(context, host.Runner, envFile)).Select(problem => fleet ? $"[{host.Label}] {problem}" : problem)));
        var problems = perHost.SelectMany(p => p).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Verify failed:\n  " + string.Join("\n  ", problems));
        if (!runner.IsDryRun) context.DeployLog.Information($"Verify passed for {string.Join(", ", context.Services)} on {string.Join(", ", context.Hosts.Select(h => h.Label))}");
    }

    private static async Task<List<string>> HostAsync(BuildContext context, ICommandRunner runner, Deploy.EnvFiles.LoadedEnvFile? envFile)
    {
        var problems = new List<string>(await new HttpHealthVerifier(runner, context.DeployLog).CheckAsync(context.Config, context.Services));
        var compose = ComposeCommands.ForProject(context.Config, await ComposeFlavorProbe.DetectAsync(runner, context.DeployLog, context.Config.Compose.Flavor),
            context.Options.EnvFile.TargetPath, new Dictionary<string, string>());
        var containers = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var service in context.Services)
        {
            var ids = await runner.RunAsync(compose.ContainerIds(context.Config.Services[service].ComposeService));
            containers[service] = ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (containers[service].Count == 0 && !runner.IsDryRun) problems.Add($"{service}: no running container");
        }

        var runtime = new RuntimeVerifier(runner, context.DeployLog);
        if (envFile is not null)
            problems.AddRange(await runtime.VariablesAsync(containers, envFile, context.Config.Verify.CriticalVariables ?? context.Config.Validation.Secrets));
        await runtime.ReportLogErrorsAsync(containers, context.Plans("Deploy") ? context.StartedAt : DateTimeOffset.UtcNow.AddMinutes(-15));
        if (context.Config.Verify.Cors is { } cors && await runtime.CorsAsync(cors) is { } corsProblem) problems.Add(corsProblem);
        return problems;
    }
}
