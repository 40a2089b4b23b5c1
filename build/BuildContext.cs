using Octavios.Deploy.Compose;
using Octavios.Deploy.Output;
using Cake.Core;
using Octavios.Build.Host;
using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Images;
using Octavios.Deploy.Remote;
using Octavios.Deploy.Validation;
using Octavios.Deploy.Versioning;

namespace Octavios.Build;

/// <summary>
/// The typed context every task receives: the configuration, the run's options, where commands run, the release's
/// images (<see cref="Release"/>) and its deploy requests (<see cref="Requests"/>).
/// </summary>
public sealed class BuildContext : CakeContextAdapter, IHasFinalOutput
{
    public BuildContext(ICakeContext context, HostRun run, SecretMasker masker) : base(context)
    {
        DryRun = run.DryRun;
        Cancellation = run.Interrupted;
        _plan = run.Plan.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _targets = run.Targets.ToHashSet(StringComparer.OrdinalIgnoreCase);
        Masker = masker;
        DeployLog = new CakeDeployLog(context.Log, masker);
        try
        {
            var configPath = context.Arguments.GetArgument(BuildArguments.Config);
            Config = ConfigLoader.Load(Path.IsPathRooted(configPath) ? configPath : Path.Combine(context.Environment.WorkingDirectory.FullPath, configPath));
            if (context.Arguments.HasArgument(BuildArguments.Registry) && context.Arguments.GetArgument(BuildArguments.Registry) is { Length: > 0 } registry)
                Config.Registry = registry;
            if (context.Arguments.HasArgument(BuildArguments.ComposeVersion) && context.Arguments.GetArgument(BuildArguments.ComposeVersion) is { Length: > 0 } compose)
                Config.Compose.Version = compose is "v1" or "v2" ? compose : throw new DeployInputException($"--compose-version='{compose}': expected v1 or v2.");
            Options = RunOptions.Parse(context.Arguments, Config);
        }
        catch (DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }

        Services = SelectedService.Of(Config, Options.Selection.Names);
        // Credentials the run is given in its own environment (REGISTRY_PASSWORD, a CI token); a path to a key file is no secret.
        foreach (System.Collections.DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            if (variable.Value is string { Length: > 0 } value && value[0] is not ('/' or '~' or '.') && SecretNames.IsSecret((string)variable.Key, Config.Validation.Secrets))
                Masker.Add(value);
        }

        _hosts = new Lazy<IReadOnlyList<DeployTarget>>(() => CreateHosts(DryRun));
        _realHosts = new Lazy<IReadOnlyList<DeployTarget>>(() => DryRun ? CreateHosts(false) : Hosts);
        Release = new ReleasePlanner(Config, () => Services, RequireVersion, Options.NoCache, Options.Force, Local, DeployLog, Masker, Variable);
        GitHub = new GitHubActionsOutput(() => Cake.Common.Build.BuildSystemAliases.GitHubActions(context), Masker, run.WriteCommandLine ?? Console.Out.WriteLine);
        Requests = new DeployRequestFactory(Config, ComposeFiles, Options.EnvironmentName, Options.EnvFile, Options.Environment.IsRemote,
            Options.LockWait, Variable, Variable("OCTAVIOS_BUILD_PROGRAM") ?? "./build.sh");
    }

    public bool DryRun { get; }

    /// <summary>Cancelled by SIGINT or SIGTERM: deploys put the target back in order, then stop.</summary>
    public CancellationToken Cancellation { get; }

    public SecretMasker Masker { get; }

    public IDeployLog DeployLog { get; }

    public SuiteConfig Config { get; }

    /// <summary>The configuration's compose files, read and parsed once for the whole run.</summary>
    public ComposeFileSet ComposeFiles => _composeFiles ??= new ComposeFileSet(Config);

    private ComposeFileSet? _composeFiles;

    public RunOptions Options { get; }

    /// <summary>The services this run works on, each with its settings (the plan); Detect fills it when --services=changed.</summary>
    public IReadOnlyList<SelectedService> Services { get; set; }

    public ReleasePlanner Release { get; }

    public DeployRequestFactory Requests { get; }

    /// <summary>Annotations and step outputs when the run is a GitHub Actions step; nothing otherwise.</summary>
    public GitHubActionsOutput GitHub { get; }

    /// <summary>Where image builds run: always this machine (a dry run prints instead).</summary>
    public ICommandRunner Local => _local ??= DryRun
        ? new DryRunCommandRunner("local", DeployLog)
        : new LocalCommandRunner(Config.BaseDirectory, DeployLog, Masker);

    /// <summary>How servers are reached: keys, known_hosts, ~/.ssh/config, bastion (from the environment).</summary>
    public SshSettings SshSettings => _ssh ??= SshSettings.FromEnvironment(Variable, Options.TrustNewHost);

    private SshSettings? _ssh;

    /// <summary>This machine even in a dry run, for what only reads (a server's listing, an env file's source).</summary>
    private ICommandRunner RealLocal => DryRun ? _realLocal ??= new LocalCommandRunner(Config.BaseDirectory, DeployLog, Masker) : Local;

    private ICommandRunner? _realLocal;

    /// <summary>Where the environment's containers run: this machine, or the server (connected on first use); a fleet's first host.</summary>
    public DeployTarget Target => Hosts[0];

    /// <summary>Every host of the environment (one unless it is a fleet), limited by --hosts.</summary>
    public IReadOnlyList<DeployTarget> Hosts => _hosts.Value;

    /// <summary>
    /// Targets that reach containers through a host's own engine (Exec, Diagnose, Accessory) refuse a Swarm: its tasks
    /// run on any node, and the run reaches only the manager.
    /// </summary>
    public void RequireComposeHosts(string target)
    {
        if (Options.Environment.Kind == EnvironmentKind.Swarm)
            throw new BuildInputException($"{target} reaches containers through each Compose host's engine; a Swarm runs its tasks on any node and this run reaches only its manager: " +
                                          "use Status and Logs (through the manager), or an ssh environment naming the node.");
    }

    /// <summary>The one service a target works on (Exec, Diagnose), or bad input naming the target.</summary>
    public SelectedService OneService(string target) => Services.Count == 1
        ? Services[0]
        : throw new BuildInputException($"{target} works on one service: give --services=NAME (not {Services.Count} of them).");

    /// <summary>The hosts whose roles run <paramref name="service"/> (every host but on a fleet with roles).</summary>
    public IReadOnlyList<DeployTarget> HostsRunning(SelectedService service, bool real) =>
        (real ? RealHosts : Hosts).Where(h => FleetHost.ServicesOn(h, [service], Options.Environment.Roles).Count > 0).ToList();

    /// <summary>Every host with a real runner even in a dry run, for read-only operations (Status, History, Logs, Prune --dryrun).</summary>
    public IReadOnlyList<DeployTarget> RealHosts => _realHosts.Value;

    public string? FinalOutput { get; set; }

    /// <summary>When this run started: Verify reads the logs written since.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public bool Plans(string task) => _plan.Contains(task);

    /// <summary>The task was named with --target (not only reached as a dependency).</summary>
    public bool IsTarget(string task) => _targets.Contains(task);

    public ReleaseVersion RequireVersion() =>
        Options.Version ?? throw new BuildInputException("--version is required for this target (e.g. --version=0.2.3).");

    /// <summary>Before anything is built for a push: the registry must be reachable with credentials if it wants them.</summary>
    public Task EnsureRegistryAccessAsync() =>
        Options.UsesRegistry && !DryRun && Plans("Push") ? Release.EnsureRegistryAccessAsync() : Task.CompletedTask;

    /// <summary>The images Build, Tag and Push work on (the registry is asked what it holds of them unless nothing is pushed).</summary>
    public Task<IReadOnlyList<ImagePlan>> ImagesToShipAsync() => Release.ImagesToShipAsync(checkRegistry: Options.UsesRegistry && !DryRun);

    /// <summary>Tasks that act on services skip, saying why, when Detect found none changed.</summary>
    public TaskCriterion HasServices() =>
        Services.Count > 0 ? TaskCriterion.Run : TaskCriterion.Skip($"no service changed since {Options.Since}");

    public ValidationRequest ValidationRequest() =>
        new(Config, Options.EnvironmentName, Options.Environment, Services, Options.Version, Options.EnvFile, Variable, LoadEnvFileAsync,
            Release.CredentialsFor, ImagesPushedLater: Options.UsesRegistry && Plans("Push"), SetupHint: Requests.SetupHint,
            LoadHostEnvFile: runner => LoadAndMaskAsync(() => runner), ComposeFiles: ComposeFiles, AccessoryHint: Requests.Hint("Accessory"));

    /// <summary>A target's result: lines to the log, JSON to --report, Markdown to $GITHUB_STEP_SUMMARY; all masked.</summary>
    public void Publish(IEnumerable<string> lines, string json, string? markdown)
    {
        // One write for the whole table: a 200,000-line Env listing then takes a fraction of a second, not many.
        if (string.Join('\n', lines) is { Length: > 0 } table) DeployLog.Information(table);
        if (Options.ReportPath is not null) File.WriteAllText(Options.ReportPath, Masker.Mask(json));
        if (markdown is not null && Variable("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary)
            File.AppendAllText(summary, PrintableText.Escape(Masker.Mask(markdown), keepLineBreaks: true) + System.Environment.NewLine);
    }

    /// <summary>
    /// Before relaying what a server or a container printed: the env file's values are masked by value from then on. A
    /// file that cannot be read leaves the masking by shape (named credentials, URL passwords, random tokens), with a warning.
    /// </summary>
    public async Task LearnSecretsAsync() => await LoadEnvFileQuietlyAsync();

    /// <summary>The env file, its values masked from then on; null, with a warning, when it cannot be read.</summary>
    public async Task<LoadedEnvFile?> LoadEnvFileQuietlyAsync()
    {
        try
        {
            return await LoadEnvFileAsync();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            DeployLog.Warning($"The env file could not be read ({error.Message}): only values that look like secrets are masked.");
            return null;
        }
    }

    /// <summary>The environment's env file (once per run); its secrets are masked from then on.</summary>
    public Task<LoadedEnvFile?> LoadEnvFileAsync() => _envFile ??= LoadAndMaskAsync(() => Target.Runner);

    /// <summary>Deploys, rollbacks and Verify on this environment's hosts, whatever its kind.</summary>
    public DeployPipeline Pipeline => _pipeline ??= new DeployPipeline(Config, ComposeFiles, Options.Environment, Hosts, Local, DeployLog, Options.EnvFile.TargetPath, Options.UsesRegistry);

    private DeployPipeline? _pipeline;

    /// <summary>
    /// A deploy or rollback of the selected services on this environment, whatever its kind (<see cref="DeployPipeline"/>):
    /// its result to the log (a fleet's table host × service × version × result), --report and the step summary; a
    /// host that failed fails the run.
    /// </summary>
    public async Task ChangeAsync(DeployRequest request)
    {
        ChangeResult result;
        try
        {
            result = await Pipeline.RunAsync(request, await LoadEnvFileAsync(), Cancellation);
        }
        catch (DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }

        if (result.Audit is { } done)
        {
            Publish([], done.ToJsonLine(), $"### {request.Action} to {Options.EnvironmentName}: {done.Result} in {done.DurationSeconds:0.0} s\n\n| variable | from | to |\n|---|---|---|\n" +
                string.Concat(done.To.Select(t => $"| {t.Key} | {done.From.GetValueOrDefault(t.Key) ?? "-"} | {t.Value} |\n")));
            return;
        }

        var table = FleetDeployer.Table(result.Hosts, Services).ToList();
        Publish(table, System.Text.Json.JsonSerializer.Serialize(result.Hosts), $"### {request.Action} to {Options.EnvironmentName}\n\n```\n{string.Join('\n', table)}\n```\n");
        if (Cancellation.IsCancellationRequested) throw new DeployInterruptedException($"{request.Action} to the fleet was interrupted; the table says what each host runs.");
        if (result.Hosts.FirstOrDefault(o => o.Failed) is { } failed)
            throw new DeployFailedException($"{request.Action} failed on {failed.Host}: {failed.Result}");
    }

    public async Task<DeployRequest> DeployRequestAsync(string action, IReadOnlyDictionary<string, string> versions) =>
        Requests.Create(action, Services, versions, Release.EnvironmentCredentials(), Options.EnvFile.Uploaded ? await LocalEnvTextAsync() : null);

    private readonly Lazy<IReadOnlyList<DeployTarget>> _hosts;
    private readonly Lazy<IReadOnlyList<DeployTarget>> _realHosts;
    private readonly HashSet<string> _plan;
    private readonly HashSet<string> _targets;
    private Task<LoadedEnvFile?>? _envFile;
    private Task<string?>? _envText;
    private ICommandRunner? _local;

    private static string? Variable(string name) => System.Environment.GetEnvironmentVariable(name);

    private IReadOnlyList<DeployTarget> CreateHosts(bool dryRun)
    {
        try
        {
            // The real target of a dry run (Prune's listing reads it) needs a real local runner, not the dry one.
            var local = dryRun ? Local : RealLocal;
            return DeployTarget.CreateAll(Options.Environment, dryRun, local, DeployLog, Masker, Variable, SshSettings, Options.Hosts);
        }
        catch (DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }
    }

    /// <summary>A target that cannot be asked (Validate reports why) leaves Compose v2's reading; both readings are masked anyway.</summary>
    private async Task<Deploy.Commands.ComposeFlavor> ReadingFlavorAsync()
    {
        try
        {
            return await ComposeFlavorProbe.DetectAsync(Target.Runner, DeployLog, Config.Compose.Flavor, Cancellation);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return Deploy.Commands.ComposeFlavor.V2;
        }
    }

    private async Task<LoadedEnvFile?> LoadAndMaskAsync(Func<ICommandRunner> target)
    {
        // Read the way the Compose that will run reads it: the target's, unless the configuration says which.
        async Task<DotEnvRules> Rules() => await ReadingFlavorAsync() == Deploy.Commands.ComposeFlavor.V1 ? DotEnvRules.ComposeV1 : DotEnvRules.ComposeV2;
        var envFile = await EnvFileSource.LoadAsync(Options.EnvFile, LocalEnvTextAsync, target, Variable, Rules(), Cancellation);
        // Every value of a source is a secret: a team keeps there what it would not commit.
        var secrets = Options.EnvFile.Source is null ? Config.Validation.Secrets : Config.Validation.Secrets.Concat(envFile?.Variables.Select(v => v.Name) ?? []).ToList();
        foreach (var secret in envFile?.SecretValues(secrets) ?? []) Masker.Add(secret);
        return envFile;
    }

    /// <summary>
    /// What this machine has of the env file, in memory, read once per run however many hosts and tasks ask: the local
    /// file or --env-file, or the environment's source (envSource); null when the file is the server's own.
    /// </summary>
    public Task<string?> LocalEnvTextAsync() => _envText ??= ReadLocalEnvTextAsync();

    private async Task<string?> ReadLocalEnvTextAsync()
    {
        try
        {
            return await EnvFileSource.ReadLocalAsync(Options.EnvFile,
                source => new EnvSourceReader(source, Config, RealLocal, Variable, Masker.Add), Cancellation);
        }
        catch (DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }
    }
}
