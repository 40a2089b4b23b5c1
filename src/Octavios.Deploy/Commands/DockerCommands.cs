namespace Octavios.Deploy.Commands;

/// <summary>docker CLI invocations as values (the model: Cake.Common's tool settings and Kamal's commands).</summary>
public static class DockerCommands
{
    public const string Program = "docker";

    public static Command Build(BuildSpec spec)
    {
        var args = new List<CommandArg> { "build" };
        foreach (var tag in spec.Tags) args.AddRange(["--tag", tag]);
        if (spec.Dockerfile is not null) args.AddRange(["--file", spec.Dockerfile]);
        foreach (var (name, value) in spec.BuildArgs.OrderBy(a => a.Key, StringComparer.Ordinal))
            args.AddRange(["--build-arg", new CommandArg($"{name}={value.Value}", value.IsSecret)]);
        foreach (var (name, value) in spec.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            args.AddRange(["--label", $"{name}={value}"]);
        if (spec.NoCache) args.Add("--no-cache");
        args.Add(spec.Context);
        return new Command(Program, args) { Title = $"build {spec.Tags[0]}", Timeout = TimeSpan.FromHours(1) };
    }

    public static Command Tag(string source, string target) =>
        new(Program, ["tag", source, target]) { Title = $"tag {target}" };

    public static Command Pull(string reference) =>
        new(Program, ["pull", "--quiet", reference]) { Title = $"pull {reference}", Timeout = TimeSpan.FromMinutes(10) };

    /// <summary>Pulls every image at once; fails when one pull fails.</summary>
    public static Command PullAll(IReadOnlyList<string> references) =>
        new("sh", ["-c", "p=; for i; do docker pull --quiet \"$i\" >/dev/null & p=\"$p $!\"; done; s=0; for j in $p; do wait \"$j\" || s=1; done; exit $s", "sh", .. references.Select(r => new CommandArg(r))])
        {
            Title = $"pull {string.Join(", ", references)}",
            Timeout = TimeSpan.FromMinutes(10),
        };

    /// <summary>Prints the image's ID; fails when this engine does not hold it.</summary>
    public static Command ImageId(string reference) =>
        new(Program, ["image", "inspect", "--format", "{{.Id}}", reference]) { Title = $"inspect {reference}" };

    /// <summary>Removes a tag (the image goes with its last tag); never forced, so an image a container uses stays.</summary>
    public static Command RemoveImage(string reference) => new(Program, ["image", "rm", reference]) { Title = $"remove {reference}" };

    /// <summary>"tag id" for every tag of a repository.</summary>
    public static Command ListTags(string repository) =>
        new(Program, ["image", "ls", "--no-trunc", "--format", "{{.Tag}} {{.ID}}", repository]) { Title = $"list {repository}" };

    /// <summary>The image IDs of every container, running or not.</summary>
    public static Command ContainerImages() =>
        new("sh", ["-c", "ids=$(docker ps --all --quiet --no-trunc); [ -z \"$ids\" ] || docker inspect --format '{{.Image}}' $ids"]) { Title = "images in use" };

    public static Command DataRoot() => new(Program, ["info", "--format", "{{.DockerRootDir}}"]) { Title = "docker info" };

    public static Command EngineVersion() => new(Program, ["version", "--format", "{{.Server.Version}}"]) { Title = "docker version" };

    /// <summary>Asks a docker credential helper for a registry's credentials (its answer holds the secret).</summary>
    public static Command CredentialHelper(string helper, string serverUrl) =>
        new($"docker-credential-{helper}", ["get"]) { StandardInput = new CommandArg(serverUrl), SensitiveOutput = true, Title = $"docker-credential-{helper}" };

    public static Command Push(string reference) =>
        new(Program, ["push", reference]) { Title = $"push {reference}", Timeout = TimeSpan.FromMinutes(10) };

    /// <summary>
    /// Runs a command (a pull) logged in to the registry through a throw-away DOCKER_CONFIG removed when it ends: no
    /// password stays in the server's docker configuration. The password travels through standard input.
    /// </summary>
    public static Command WithTemporaryLogin(string registry, string username, string password, Command inner) =>
        new("sh", ["-c",
            "d=$(mktemp -d) || exit 1; trap 'rm -rf \"$d\"' EXIT\n" +
            "DOCKER_CONFIG=$d docker login \"$1\" --username \"$2\" --password-stdin >/dev/null || exit 1\n" +
            "shift 2; DOCKER_CONFIG=$d \"$@\"",
            "sh", registry, username, inner.Program, .. inner.Args])
        {
            StandardInput = CommandArg.Secret(password),
            Environment = inner.Environment,
            Title = inner.Title,
            Timeout = inner.Timeout,
        };

    /// <summary>Password through standard input, so it is never an argument nor on a terminal prompt.</summary>
    public static Command Login(string registry, string username, string password) =>
        new(Program, ["login", registry, "--username", username, "--password-stdin"])
        {
            StandardInput = CommandArg.Secret(password),
            Title = $"log in to {registry}",
        };

    /// <summary>
    /// A container's health, "none" without a healthcheck. Through index: docker inspect formats a map, where
    /// .State.Health of a container without one (or not started yet) is a template error, not an empty value.
    /// </summary>
    public const string HealthFormat = "{{with index .State \"Health\"}}{{.Status}}{{else}}none{{end}}";

    private const string StateFormat = "{{.Id}} {{.State.Status}} " + HealthFormat + " {{.RestartCount}}";

    /// <summary>
    /// Prints "id status health restarts" ("id gone none 0" once removed), one line per container, once they differ from <paramref name="seen"/> (what
    /// the caller saw last; empty: at once) or after <paramref name="maxSeconds"/>. The server watches the containers'
    /// events (start, die, health) instead of being asked again and again: one round trip per change.
    /// </summary>
    public static Command AwaitStateChange(IReadOnlyList<string> containerIds, string seen, double maxSeconds) =>
        StateWatch(seen, maxSeconds, containerIds.Select(id => new CommandArg(id)));

    /// <summary><see cref="AwaitStateChange(IReadOnlyList{string}, string, double)"/> on every container of a Compose service (by its labels).</summary>
    public static Command AwaitStateChange(string project, string service, string seen, double maxSeconds) =>
        StateWatch(seen, maxSeconds, ["--service", project, service]);

    private static Command StateWatch(string seen, double maxSeconds, IEnumerable<CommandArg> containers) =>
        new("sh", ["-c",
            "f=$1; seen=$2; max=$3; shift 3\n" +
            // A container removed since it was named answers "gone"; any other error of docker fails the watch.
            "state() { out=$(docker inspect --format \"$f\" \"$@\" 2>/dev/null) && { printf '%s\\n' \"$out\"; return 0; }\n" +
            "  for id; do out=$(docker inspect --format \"$f\" \"$id\" 2>&1) && { printf '%s\\n' \"$out\"; continue; }\n" +
            "    case $out in *'No such'*) printf '%s gone none 0\\n' \"$id\";; *) printf '%s\\n' \"$out\" >&2; return 1;; esac; done; }\n" +
            "[ \"$1\" != --service ] || set -- $(docker ps --all --quiet --no-trunc --filter \"label=com.docker.compose.project=$2\" --filter \"label=com.docker.compose.service=$3\")\n" +
            "[ $# -gt 0 ] || exit 0\n" +
            "since=$(date +%s.%N); case $since in *N) since=${since%.*};; esac; now=$(state \"$@\") || exit 1\n" +
            "if [ \"$now\" = \"$seen\" ] && [ \"$max\" != 0 ]; then\n" +
            // Blocked on a FIFO until the first event, or until docker events ends (its time is up, or it failed): no polling.
            "  d=$(mktemp -d) && mkfifo \"$d/events\" || exit 1; filters=; for id; do filters=\"$filters --filter container=$id\"; done\n" +
            "  timeout --foreground \"$max\" docker events --since \"$since\" $filters --filter event=start --filter event=die --filter event=health_status --format x >\"$d/events\" 2>/dev/null & watcher=$!\n" +
            "  read -r _ <\"$d/events\"\n" +
            "  kill \"$watcher\" 2>/dev/null; rm -rf \"$d\"; now=$(state \"$@\") || exit 1\n" +
            "fi\n" +
            "printf '%s\\n' \"$now\"",
            "sh", StateFormat, seen, maxSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture), .. containers])
        {
            Title = "container state",
            Timeout = TimeSpan.FromSeconds(maxSeconds + 30),
        };

    public static Command ContainerImage(string containerId) =>
        new(Program, ["inspect", "--format", "{{.Config.Image}}", containerId]);

    /// <summary>
    /// Follows the logs of several containers at once, each line prefixed "[name] " (<paramref name="containers"/>: name →
    /// id), from the last <paramref name="tail"/> lines on; <paramref name="grep"/>, when given, keeps the lines holding it (a fixed string), on the server.
    /// Ends when every container's log does, or when its process group is stopped. With <paramref name="swarmServices"/>, the
    /// ids name Swarm services, followed through a manager (every task on any node).
    /// </summary>
    public static Command FollowLogs(IReadOnlyList<(string Name, string Id)> containers, int tail, string? grep, bool swarmServices = false) =>
        new("sh", ["-c",
            "tail=$1; grep=$2; what=$3; shift 3\n" +
            "while [ $# -gt 0 ]; do\n" +
            "  n=$1; id=$2; shift 2\n" +
            "  docker $what --follow --tail \"$tail\" \"$id\" 2>&1 | { if [ -n \"$grep\" ]; then grep --line-buffered -F -e \"$grep\"; else cat; fi; } | while IFS= read -r l; do printf '[%s] %s\\n' \"$n\" \"$l\"; done &\n" +
            "done\n" +
            "wait",
            "sh", tail.ToString(System.Globalization.CultureInfo.InvariantCulture), grep ?? "", swarmServices ? "service logs" : "logs",
            .. containers.SelectMany(c => new CommandArg[] { c.Name, c.Id })])
        {
            Title = "follow the logs",
            Timeout = TimeSpan.FromDays(7),
        };

    /// <summary>A container's last lines; with <paramref name="swarmService"/>, those of a Swarm service's every task, on any node (asked of a manager).</summary>
    public static Command Logs(string containerId, int tail, string? since = null, bool swarmService = false) =>
        new(Program, [.. swarmService ? new CommandArg[] { "service", "logs" } : ["logs"], "--tail", tail.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. since is null ? Array.Empty<CommandArg>() : ["--since", since], containerId])
        {
            Title = "logs",
            Timeout = TimeSpan.FromSeconds(60),
        };
}

/// <summary>What <c>docker build</c> needs for one image.</summary>
public sealed record BuildSpec(
    string Context,
    string? Dockerfile,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, CommandArg> BuildArgs,
    IReadOnlyDictionary<string, string> Labels,
    bool NoCache);
