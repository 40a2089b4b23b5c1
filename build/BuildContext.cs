using Cake.Core;
using Octavios.Build.Host;
using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.Detection;
using Octavios.Deploy.Images;
using Octavios.Deploy.Registry;
using Octavios.Deploy.Remote;
using Octavios.Deploy.Validation;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Versioning;

namespace Octavios.Build;

/// <summary>The typed context every task receives: parsed arguments, configuration, and where commands run.</summary>
public sealed class BuildContext : CakeContextAdapter, IHasFinalOutput
{
    public BuildContext(ICakeContext context, HostRun run) : base(context)
    {
        DryRun = run.DryRun;
        Cancellation = run.Interrupted;
        _plan = run.Plan.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Masker = new SecretMasker();
        DeployLog = new CakeDeployLog(context.Log, Masker);
        try
        {
            var configPath = context.Arguments.GetArgument(BuildArguments.Config);
            Config = ConfigLoader.Load(Path.IsPathRooted(configPath) ? configPath : Path.Combine(context.Environment.WorkingDirectory.FullPath, configPath));
            if (Argument(BuildArguments.Registry) is { } registry) Config.Registry = registry;

            EnvironmentName = context.Arguments.GetArgument(BuildArguments.Env);
            TargetEnvironment = Config.Environments.GetValueOrDefault(EnvironmentName) ?? throw new DeployInputException(
                $"Unknown --env='{EnvironmentName}'. Valid environments: {string.Join(", ", Config.Environments.Keys)}.");
            // On a server the env file stays where it is; locally --env-file replaces it for Compose too.
            EnvFile = TargetEnvironment.Kind == EnvironmentKind.Local ? Argument(BuildArguments.EnvFile) ?? TargetEnvironment.EnvFile : TargetEnvironment.EnvFile;

            var services = context.Arguments.GetArguments(BuildArguments.Services);
            Selection = services.Count == 0
                ? ServiceSelection.Parse([ServiceSelection.All], Config.ServiceNames)
                : ServiceSelection.Parse(services, Config.ServiceNames);
            Services = Selection.Names;
            Version = Argument(BuildArguments.Version) is { } version ? ReleaseVersion.Parse(version) : null;
            Since = context.Arguments.GetArgument(BuildArguments.Since);
            NoCache = Flag(BuildArguments.NoCache);
            ReportPath = Argument(BuildArguments.Report);
            ShipsOverSsh = Argument(BuildArguments.Transfer) switch
            {
                null or "registry" => false,
                "ssh" when TargetEnvironment.Kind == EnvironmentKind.Ssh => true,
                "ssh" => throw new DeployInputException($"--transfer=ssh needs an ssh environment; '{EnvironmentName}' runs on this machine."),
                var other => throw new DeployInputException($"Unknown --transfer='{other}'. Valid values: registry, ssh."),
            };
            _target = new Lazy<DeployTarget>(() => CreateTarget(DryRun));
            _realTarget = new Lazy<DeployTarget>(() => DryRun ? CreateTarget(false) : _target.Value);
            LockWait = int.TryParse(Argument(BuildArguments.LockWait) ?? "0", out var wait) && wait >= 0
                ? TimeSpan.FromSeconds(wait)
                : throw new DeployInputException($"--lock-wait='{Argument(BuildArguments.LockWait)}' is not a number of seconds.");
        }
        catch (DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }
    }

    public bool DryRun { get; }

    /// <summary>Cancelled by SIGINT or SIGTERM: deploys put the target back in order, then stop.</summary>
    public CancellationToken Cancellation { get; }

    public SecretMasker Masker { get; }

    public IDeployLog DeployLog { get; }

    public SuiteConfig Config { get; }

    public string EnvironmentName { get; }

    public EnvironmentConfig TargetEnvironment { get; }

    public string? EnvFile { get; }

    public ServiceSelection Selection { get; }

    /// <summary>The services this run works on; Detect fills it when --services=changed.</summary>
    public IReadOnlyList<string> Services { get; set; }

    public ReleaseVersion? Version { get; }

    public string Since { get; }

    public bool NoCache { get; }

    /// <summary>Where image builds run: always this machine (a dry run prints instead).</summary>
    public ICommandRunner Local => _local ??= DryRun
        ? new DryRunCommandRunner("local", DeployLog)
        : new LocalCommandRunner(Config.BaseDirectory, DeployLog, Masker);

    /// <summary>Where the environment's containers run: this machine, or the server (connected on first use).</summary>
    public DeployTarget Target => _target.Value;

    /// <summary>The target with a real runner even in a dry run, for read-only listings (Prune --dryrun).</summary>
    public DeployTarget RealTarget => _realTarget.Value;

    public TimeSpan LockWait { get; }

    public DateTimeOffset StartedAt => _startedAt;

    public string? ReportPath { get; }

    public string? FinalOutput { get; set; }

    public bool IncludeUncommitted => Flag(BuildArguments.IncludeUncommitted);

    public bool Force => Flag(BuildArguments.Force);

    public RegistryClient ImageRegistry => _registry ??= new RegistryClient(new HttpClient { Timeout = TimeSpan.FromSeconds(15) });

    /// <summary>The images of this release, computed once so Build, Tag and Push share one timestamp.</summary>
    public IReadOnlyList<ImagePlan> Images => _images ??= Services
        .Select(s => ImagePlan.Create(Config, s, RequireVersion(), Revision, _startedAt, null, NoCache))
        .ToList();

    /// <summary>Images travel through the registry: pushed here, pulled by the target.</summary>
    public bool UsesRegistry => TargetEnvironment.Push && !ShipsOverSsh;

    /// <summary>--transfer=ssh: images travel over the deploy's SSH connection instead.</summary>
    public bool ShipsOverSsh { get; }

    public bool Plans(string task) => _plan.Contains(task);

    public string Revision => _revision ??= RepositoryInfo.HeadRevision(Config.BaseDirectory);

    /// <summary>Before anything is built for a push: the registry must be reachable with credentials if it wants them.</summary>
    public async Task EnsureRegistryAccessAsync()
    {
        if (_registryChecked || !UsesRegistry || DryRun || !Plans("Push")) return;
        _registryChecked = true;
        if (await ImageRegistry.RequiresLoginAsync(Config.Registry)
            && await CredentialsFor(Config.Registry) is null)
            throw new InvalidOperationException(
                $"The docker CLI holds no credentials for {Config.Registry} and REGISTRY_USERNAME/REGISTRY_PASSWORD are not set. Log in first: docker login {Config.Registry}");
    }

    /// <summary>
    /// The images Build, Tag and Push work on: a release tag the registry already holds from this commit is skipped
    /// (said once); one built from another commit stops the run unless --force.
    /// </summary>
    public async Task<IReadOnlyList<ImagePlan>> ImagesToShipAsync()
    {
        if (_toShip is not null) return _toShip;
        if (!UsesRegistry || DryRun) return _toShip = Images;
        var credentials = await CredentialsFor(Config.Registry);
        var statuses = await ReleaseGuard.CheckAsync(Images, Revision, ImageRegistry, credentials);
        foreach (var status in statuses.Where(s => s.State == ReleaseState.AlreadyPushed))
            DeployLog.Information($"{status.Service} {RequireVersion()} is already on {Config.Registry}, built from this commit ({status.Digest}): not built or pushed again");
        var moved = statuses.Where(s => s.State == ReleaseState.OtherCommit).ToList();
        if (moved.Count > 0 && !Force)
            throw new InvalidOperationException(string.Join("\n", moved.Select(s =>
                $"{s.Service}:{RequireVersion()} is already on {Config.Registry}, built from commit {s.Revision ?? "(no revision label)"} ({s.Digest}), not {Revision[..Math.Min(12, Revision.Length)]}: a release tag never moves. Release a new version, or pass --force.")));
        foreach (var status in moved) DeployLog.Warning($"--force: replacing {status.Service}:{RequireVersion()} ({status.Digest}, commit {status.Revision})");
        var skip = statuses.Where(s => s.State == ReleaseState.AlreadyPushed).Select(s => s.Service).ToHashSet();
        return _toShip = Images.Where(i => !skip.Contains(i.Service)).ToList();
    }

    /// <summary>Tasks that act on services skip, saying why, when Detect found none changed.</summary>
    public TaskCriterion HasServices() =>
        Services.Count > 0 ? TaskCriterion.Run : TaskCriterion.Skip($"no service changed since {Since}");

    /// <summary>REGISTRY_USERNAME / REGISTRY_PASSWORD, the password registered as a secret.</summary>
    public RegistryCredentials? RegistryCredentials
    {
        get
        {
            var credentials = Deploy.Registry.RegistryCredentials.FromEnvironment(System.Environment.GetEnvironmentVariable);
            Masker.Add(credentials?.Password);
            return credentials;
        }
    }

    /// <summary>What the docker CLI (or REGISTRY_USERNAME/PASSWORD) holds for a registry, looked up once per run; the password is masked.</summary>
    public Task<RegistryCredentials?> CredentialsFor(string registry)
    {
        lock (_credentials)
        {
            return _credentials.TryGetValue(registry, out var known) ? known : _credentials[registry] = LookUpAsync();
        }

        async Task<RegistryCredentials?> LookUpAsync()
        {
            var found = await DockerCredentials.FindAsync(registry, System.Environment.GetEnvironmentVariable, Local);
            Masker.Add(found?.Password);
            return found;
        }
    }

    /// <summary>--env-file: a local file replacing the environment's env file.</summary>
    public string? EnvFileOverride => Argument(BuildArguments.EnvFile);

    public ValidationRequest ValidationRequest() =>
        new(Config, EnvironmentName, TargetEnvironment, Services, Version, EnvFileOverride, System.Environment.GetEnvironmentVariable, LoadEnvFileAsync, CredentialsFor,
            ImagesPushedLater: UsesRegistry && Plans("Push"));

    /// <summary>A target's result: lines to the log, JSON to --report, Markdown to $GITHUB_STEP_SUMMARY; all masked.</summary>
    public void Publish(IEnumerable<string> lines, string json, string? markdown)
    {
        foreach (var line in lines) DeployLog.Information(line);
        if (ReportPath is not null) File.WriteAllText(ReportPath, Masker.Mask(json));
        if (markdown is not null && System.Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary)
            File.AppendAllText(summary, Masker.Mask(markdown) + System.Environment.NewLine);
    }

    public ReleaseVersion RequireVersion() =>
        Version ?? throw new BuildInputException("--version is required for this target (e.g. --version=0.2.3).");

    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Lazy<DeployTarget> _target;
    private readonly Lazy<DeployTarget> _realTarget;
    private Task<LoadedEnvFile?>? _envFile;
    private readonly Dictionary<string, Task<RegistryCredentials?>> _credentials = new(StringComparer.Ordinal);
    private readonly HashSet<string> _plan;
    private IReadOnlyList<ImagePlan>? _toShip;
    private bool _registryChecked;
    private string? _revision;
    private ICommandRunner? _local;
    private RegistryClient? _registry;
    private IReadOnlyList<ImagePlan>? _images;

    private DeployTarget CreateTarget(bool dryRun) => Translate(() => DeployTarget.Create(TargetEnvironment, dryRun, Local, DeployLog, Masker,
        System.Environment.GetEnvironmentVariable, SshSettings.FromEnvironment(System.Environment.GetEnvironmentVariable, Flag(BuildArguments.TrustNewHost))));

    /// <summary>The environment's env file (once per run); its secrets are masked from then on.</summary>
    public Task<LoadedEnvFile?> LoadEnvFileAsync() => _envFile ??= LoadAndMaskAsync();

    private async Task<LoadedEnvFile?> LoadAndMaskAsync()
    {
        var envFile = await EnvFileSource.LoadAsync(Config, TargetEnvironment, EnvFileOverride, () => Target.Runner, System.Environment.GetEnvironmentVariable);
        foreach (var secret in envFile?.SecretValues(Config.Validation.Secrets) ?? []) Masker.Add(secret);

        return envFile;
    }

    /// <summary>A deploy or rollback of the selected services; <paramref name="pull"/>: images come from the registry first.</summary>
    public Deployer Deployer(bool pull) => new(Config, Target.Runner, Local, DeployLog, EnvFile, pull && UsesRegistry);

    /// <summary>Who takes the deploy lock for this run, doing what.</summary>
    public LockOwner LockOwner(string what) => Deploy.Deployment.LockOwner.Create(System.Environment.UserName, System.Environment.MachineName, what);

    /// <summary>The command that breaks this environment's lock, carrying the run's --config and --env.</summary>
    public string UnlockHint => $"{System.Environment.GetEnvironmentVariable("OCTAVIOS_BUILD_PROGRAM") ?? "./build.sh"} --target=Unlock --config={Config.FilePath} --env={EnvironmentName}";

    public DeployRequest DeployRequest(string action, IReadOnlyDictionary<string, string> versions)
    {
        var uploads = new Dictionary<string, string>();
        if (!Target.IsLocal)
        {
            // The server gets the compose files of this checkout (no git pull there), and --env-file when given.
            foreach (var file in Config.Compose.Files) uploads[file] = File.ReadAllText(Config.ResolvePath(file));
            if (EnvFileOverride is not null && TargetEnvironment.EnvFile is not null)
                uploads[TargetEnvironment.EnvFile] = File.ReadAllText(Config.ResolvePath(EnvFileOverride));
        }

        var backup = Config.Deploy.Backup.Enabled || System.Environment.GetEnvironmentVariable("BACKUP_DB") is "true" or "1";
        return new DeployRequest(action, EnvironmentName, Services, versions, uploads, RegistryCredentials,
            LockOwner($"{action} {string.Join(' ', Services)} {string.Join(' ', versions.Values.Distinct())}"),
            LockWait, backup, UnlockHint);
    }

    public IReadOnlyDictionary<string, string> VersionsOf(ReleaseVersion version) =>
        Services.ToDictionary(s => Config.Services[s].VersionVariable, _ => version.ToString());

    private static T Translate<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (DeployInputException error)
        {
            throw new BuildInputException(error.Message);
        }
    }

    private bool Flag(string name) => Argument(name) is { } value && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    private string? Argument(string name) =>
        Arguments.HasArgument(name) && Arguments.GetArgument(name) is { Length: > 0 } value ? value : null;
}
