namespace Octavios.Deploy.Configuration;

// The shape of octavios.build.yml (README "Configuration" documents every key). Set by YamlDotNet, then checked by ConfigLoader.

public sealed class SuiteConfig
{
    /// <summary>Registry host, e.g. docker.io or 127.0.0.1:5000.</summary>
    public string Registry { get; set; } = "docker.io";

    public string Namespace { get; set; } = "";

    public ComposeConfig Compose { get; set; } = new();

    /// <summary>Globs (relative to the config's folder) whose change means every service.</summary>
    public List<string> SharedPaths { get; set; } = [];

    public TagsConfig Tags { get; set; } = new();

    public BuildConfig Build { get; set; } = new();

    public Dictionary<string, ServiceConfig> Services { get; set; } = new();

    public Dictionary<string, EnvironmentConfig> Environments { get; set; } = new();

    /// <summary>Services the releases do not own (a database, a cache): never deployed, recreated or pruned; the Accessory target boots, restarts, shows and backs them up.</summary>
    public Dictionary<string, AccessoryConfig> Accessories { get; set; } = new();

    public DeployConfig Deploy { get; set; } = new();

    public ValidationConfig Validation { get; set; } = new();

    public PruneConfig Prune { get; set; } = new();

    public VerifyConfig Verify { get; set; } = new();

    /// <summary>The folder the configuration file is in: every relative path resolves against it.</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public string BaseDirectory { get; set; } = "";

    [YamlDotNet.Serialization.YamlIgnore]
    public string FilePath { get; set; } = "";

    public IReadOnlyList<string> ServiceNames => Services.Keys.ToList();

    public string ImageRepository(ServiceConfig service) =>
        string.Join('/', new[] { Registry, Namespace, service.Image }.Where(p => p.Length > 0));

    public string ResolvePath(string relative) => Path.GetFullPath(Path.Combine(BaseDirectory, relative));
}

public sealed class ComposeConfig
{
    /// <summary>Compose project name, passed as -p so every run addresses the same containers.</summary>
    public string Project { get; set; } = "";

    /// <summary>v1 or v2: the Compose the target runs, when it should not be probed (v2 when a target has both).</summary>
    public string? Version { get; set; }

    public Commands.ComposeFlavor? Flavor => Version switch { "v1" => Commands.ComposeFlavor.V1, "v2" => Commands.ComposeFlavor.V2, _ => null };

    /// <summary>Compose files read only for services' build: sections (a development overlay), never deployed.</summary>
    public List<string> BuildFiles { get; set; } = [];

    /// <summary>Compose files in overlay order, relative to the project directory.</summary>
    public List<string> Files { get; set; } = [];

    /// <summary>Variables through which the compose files receive the registry and namespace.</summary>
    public string RegistryVariable { get; set; } = "REGISTRY";

    public string NamespaceVariable { get; set; } = "NAMESPACE";

    /// <summary>The overlay that pins images from the registry (default: the last file); linted for build: and fixed tags.</summary>
    public string? RegistryOverlay { get; set; }

    public string RegistryOverlayFile => RegistryOverlay ?? Files.LastOrDefault() ?? "";
}

public sealed class TagsConfig
{
    /// <summary>When <c>latest</c> moves: <c>deploy</c> (once the release is deployed and healthy) or <c>push</c> (teams that publish without deploying).</summary>
    public string LatestAt { get; set; } = "deploy";

    public bool Latest { get; set; } = true;
}

public sealed class BuildConfig
{
    /// <summary>How many images build at once.</summary>
    public int Parallelism { get; set; } = 2;
}

public sealed class ServiceConfig
{
    /// <summary>Image name under the registry namespace.</summary>
    public string Image { get; set; } = "";

    /// <summary>Service name in the compose files; defaults to the key.</summary>
    public string ComposeService { get; set; } = "";

    public string Context { get; set; } = "";

    public string Dockerfile { get; set; } = "";

    public Dictionary<string, string> BuildArgs { get; set; } = new();

    public List<string> Paths { get; set; } = [];

    /// <summary>Compose variable holding the service's version, e.g. BACKEND_VERSION.</summary>
    public string VersionVariable { get; set; } = "";

    /// <summary>auto (start-first unless a fixed host port or container_name forbids two containers), start-first, or recreate.</summary>
    public string Strategy { get; set; } = "auto";

    public HealthConfig? Health { get; set; }

    /// <summary>What runs once per deploy before the new version takes traffic (a migration).</summary>
    public ReleaseConfig? Release { get; set; }
}

public sealed class ReleaseConfig
{
    /// <summary>Run through sh -c in a one-off container of the new image, under the deploy lock, after the pull, before the first new container starts.</summary>
    public string Command { get; set; } = "";

    /// <summary>How long it may run before it is stopped (and the deploy with it).</summary>
    public int TimeoutSeconds { get; set; } = 600;

    /// <summary>On every host of a fleet (each its own cache warm-up), rather than once per deploy on the first host to get there.</summary>
    public bool PerHost { get; set; }
}

public sealed class HealthConfig
{
    /// <summary>URL reached from the deploy target (the server, or this machine for local).</summary>
    public string Url { get; set; } = "";

    public int ExpectStatus { get; set; } = 200;

    public string? JsonField { get; set; }

    public string? JsonValue { get; set; }
}

public enum EnvironmentKind
{
    Local,
    Ssh,

    /// <summary>A Docker Swarm, deployed as a stack through one manager reached over SSH.</summary>
    Swarm,
}

public sealed class EnvironmentConfig
{
    public EnvironmentKind Kind { get; set; } = EnvironmentKind.Ssh;

    /// <summary>Environment variable naming the server (user@host[:port]), or several (comma- or space-separated): a fleet.</summary>
    public string ServerFrom { get; set; } = "DEPLOY_SERVER";

    /// <summary>The hosts of a fleet (user@host[:port] each), instead of <see cref="ServerFrom"/>.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>The compose files of this environment's deploys, instead of compose.files (a swarm's stack files).</summary>
    public List<string> ComposeFiles { get; set; } = [];

    /// <summary>Reached over SSH: a server, a fleet, or a swarm's manager.</summary>
    public bool IsRemote => Kind != EnvironmentKind.Local;

    /// <summary>A fleet's host groups: service → the hosts (addresses or host names) it runs on; a service without one runs on every host.</summary>
    public Dictionary<string, List<string>> Roles { get; set; } = [];

    /// <summary>A fleet's hosts updated at a time, each batch gated healthy before the next: a count, or a percentage ("25%").</summary>
    public string BatchSize { get; set; } = "1";

    /// <summary>When a host of a fleet fails its gate, the hosts already updated go back too, so the fleet never stays mixed.</summary>
    public bool RollbackUpdatedHosts { get; set; } = true;

    /// <summary>Environment variable naming the project directory on the server; ssh environments only.</summary>
    public string ProjectDirFrom { get; set; } = "DEPLOY_PROJECT_DIR";

    /// <summary>Env file passed to Compose with --env-file, relative to the project directory.</summary>
    public string? EnvFile { get; set; }

    /// <summary>Whether images go through the registry (push, then pull on the target).</summary>
    public bool Push { get; set; } = true;

    /// <summary>The Compose profiles this environment activates: an accessory under another profile (a local database) is not expected to run here.</summary>
    public List<string> Profiles { get; set; } = [];

    /// <summary>Where this machine reads the env file it uploads to <see cref="EnvFile"/> (in memory only); null: the server keeps its own.</summary>
    public EnvSourceConfig? EnvSource { get; set; }

    /// <summary>The embedded default: the machine's own Docker engine, images used where they were built.</summary>
    public static EnvironmentConfig DefaultLocal() => new() { Kind = EnvironmentKind.Local, Push = false, EnvFile = "envs/.env.local" };
}

/// <summary>
/// An env file read into memory from where a team keeps its secrets: an age-encrypted file of the repository or any
/// command printing an env file, with variables of its own merged over it. Every value it gives is masked.
/// </summary>
public sealed class EnvSourceConfig
{
    /// <summary>An age-encrypted env file, relative to the configuration's folder.</summary>
    public string? Age { get; set; }

    /// <summary>The age identity file that decrypts it; DEPLOY_AGE_IDENTITY, when set, names it instead.</summary>
    public string? Identity { get; set; }

    /// <summary>Whom --edit encrypts to (age1... public keys); none: the identity's own.</summary>
    public List<string> Recipients { get; set; } = [];

    /// <summary>A local command (sh -c, in the configuration's folder) printing an env file on its standard output.</summary>
    public string? Command { get; set; }

    /// <summary>How long each command (the file's, each variable's) may run.</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Variables of their own source, merged over the file: name → the command printing its value.</summary>
    public Dictionary<string, VariableSourceConfig> Variables { get; set; } = [];
}

public sealed class VariableSourceConfig
{
    /// <summary>Prints the value (its last line break dropped), e.g. <c>pass show octavios/prod/SECRET_KEY</c>.</summary>
    public string Command { get; set; } = "";
}

public sealed class DeployConfig
{
    public int HealthTimeoutSeconds { get; set; } = 120;

    /// <summary>A deploy lock whose heartbeat is older than this was left by a run that died: the next run takes it over.</summary>
    public int LockStaleSeconds { get; set; } = 30;

    /// <summary>
    /// How long the server's supervisor of a run's lock waits without a word from the run's client (killed, suspended,
    /// cut off) before it puts the unverified change back and releases the lock by itself.
    /// </summary>
    public int LostClientSeconds { get; set; } = 10;

    /// <summary>After every container is healthy, how long none may restart, exit or turn unhealthy before the gate passes.</summary>
    public int StableSeconds { get; set; } = 10;

    /// <summary>Replicas replaced at a time by a start-first deploy, each batch gated before the next.</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>Seconds between a new container getting the service's name and the old one stopping: the proxy's DNS refresh.</summary>
    public int DrainSeconds { get; set; } = 2;

    /// <summary>How long an image pull may take on the target before it is stopped.</summary>
    public int PullTimeoutSeconds { get; set; } = 600;

    /// <summary>The heartbeat interval: several beats fit in the stale delay.</summary>
    public TimeSpan LockHeartbeat => TimeSpan.FromSeconds(Math.Clamp(LockStaleSeconds / 6.0, 0.5, 5));

    /// <summary>Lines of a failing service's log shown before the rollback.</summary>
    public int LogTail { get; set; } = 50;

    public HooksConfig Hooks { get; set; } = new();

    public BackupConfig Backup { get; set; } = new();
}

/// <summary>Local shell commands around a deploy; they get OCTAVIOS_HOOK_ACTION, _ENV, _SERVICES, _VERSION, _HOSTS (see HookCommands).</summary>
public sealed class HooksConfig
{
    public List<string> PreDeploy { get; set; } = [];

    public List<string> PostDeploy { get; set; } = [];
}

/// <summary>A backup taken on the server before a deploy: the command's output is kept as DIRECTORY/backup-TIMESTAMP.EXT.</summary>
public sealed class AccessoryConfig
{
    /// <summary>Its service in the compose files; default: the accessory's key.</summary>
    public string ComposeService { get; set; } = "";

    /// <summary>How it is backed up: a command run in its container (sh -c), its output kept on the server.</summary>
    public AccessoryBackupConfig? Backup { get; set; }
}

public sealed class AccessoryBackupConfig
{
    /// <summary>Run in the accessory's running container; what it prints is the backup (e.g. <c>pg_dump -U app app</c>).</summary>
    public string Command { get; set; } = "";

    public string Directory { get; set; } = "backups";

    public string Extension { get; set; } = "dump";
}

public sealed class BackupConfig
{
    /// <summary>On for every deploy (BACKUP_DB=true turns it on for one run).</summary>
    public bool Enabled { get; set; }

    public string Command { get; set; } = "";

    public string Directory { get; set; } = "backups";

    public string Extension { get; set; } = "sql";
}

public sealed class PruneConfig
{
    /// <summary>Versions kept besides the running one.</summary>
    public int Keep { get; set; } = 2;
}

public sealed class VerifyConfig
{
    /// <summary>Variables whose value inside the running containers must equal the env file's (default: the secrets).</summary>
    public List<string>? CriticalVariables { get; set; }

    public CorsConfig? Cors { get; set; }
}

/// <summary>Sends Origin to a URL and expects it back in Access-Control-Allow-Origin.</summary>
public sealed class CorsConfig
{
    public string Url { get; set; } = "";

    public string Origin { get; set; } = "";
}

public sealed class ValidationConfig
{
    /// <summary>Variables the env file must define with a non-empty value (the secrets are required too).</summary>
    public List<string> RequiredVariables { get; set; } = [];

    /// <summary>Variables holding secrets: required, at least <see cref="MinSecretLength"/> long, masked everywhere.</summary>
    public List<string> Secrets { get; set; } = ["SECRET_KEY", "JWT_SECRET_KEY"];

    public int MinSecretLength { get; set; } = 32;

    /// <summary>Deploying from another branch is a warning.</summary>
    public string ReleaseBranch { get; set; } = "main";

    /// <summary>Below this share of free disk on Docker's data root, Validate fails.</summary>
    public int MinFreeDiskPercent { get; set; } = 10;
}
