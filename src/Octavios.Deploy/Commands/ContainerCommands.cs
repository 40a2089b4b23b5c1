using System.Globalization;

namespace Octavios.Deploy.Commands;

/// <summary>
/// Containers of one Compose service, handled one by one for a start-first deploy: a new container is kept out of the
/// service's DNS name (its networks' aliases) until it is healthy, then given them; the old one stops with its grace.
/// </summary>
public static class ContainerCommands
{
    private const string Docker = DockerCommands.Program;

    /// <summary>"id state image" for every container of the service, running or not (by Compose's labels, so v1 and v2 alike).</summary>
    public static Command OfService(string project, string service) =>
        new("sh", ["-c",
            "ids=$(docker ps --all --quiet --no-trunc --filter \"label=com.docker.compose.project=$1\" --filter \"label=com.docker.compose.service=$2\")\n" +
            "[ -z \"$ids\" ] || docker inspect --format '{{.Id}} {{.State.Status}} {{.Config.Image}}' $ids",
            "sh", project, service])
        {
            Title = $"containers of {service}",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>"service id" for every running container of the project (by Compose's labels).</summary>
    public static Command RunningOfProject(string project) =>
        new(Docker, ["ps", "--no-trunc", "--filter", $"label=com.docker.compose.project={project}", "--format", "{{.Label \"com.docker.compose.service\"}} {{.ID}}"])
        {
            Title = "running containers of the project",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>"service|image|image id|state|health|started|restarts" for every container of the project, for Status.</summary>
    public static Command OfProject(string project) =>
        new("sh", ["-c",
            "ids=$(docker ps --all --quiet --no-trunc --filter \"label=com.docker.compose.project=$1\")\n" +
            "[ -z \"$ids\" ] || docker inspect --format \"$2\" $ids",
            "sh", project, "{{index .Config.Labels \"com.docker.compose.service\"}}|{{.Config.Image}}|{{.Image}}|{{.State.Status}}|" +
            DockerCommands.HealthFormat + "|{{.State.StartedAt}}|{{.RestartCount}}"])
        {
            Title = "containers of the project",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>
    /// Takes the container out of its networks' DNS: reconnected to each without aliases. Prints "network alias,alias,"
    /// per network: what <see cref="Expose"/> gives back.
    /// </summary>
    public static Command Hide(string container) =>
        new("sh", ["-c",
            "docker inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{range $v.Aliases}}{{.}},{{end}}{{\"\\n\"}}{{end}}' \"$1\" |\n" +
            "while read -r n a; do [ -n \"$n\" ] || continue; echo \"$n $a\"; docker network disconnect \"$n\" \"$1\" && docker network connect \"$n\" \"$1\" || exit 1; done",
            "sh", container])
        {
            Title = "keep the new container out of DNS",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Gives the container its aliases back on each network (lines as <see cref="Hide"/> printed them).</summary>
    public static Command Expose(string container, IReadOnlyList<string> networks) =>
        new("sh", ["-c",
            "c=$1; shift\n" +
            "for line; do n=${line%% *}; a=${line#* }; set --; old=$IFS; IFS=,; for x in $a; do [ -z \"$x\" ] || set -- \"$@\" --alias \"$x\"; done; IFS=$old\n" +
            "  docker network disconnect \"$n\" \"$c\" && docker network connect \"$@\" \"$n\" \"$c\" || exit 1; done",
            "sh", container, .. networks.Select(n => new CommandArg(n))])
        {
            Title = "give the new container the service's name",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Everything the engine says of a container, as JSON (Diagnose reads its state, image, labels, healthcheck).</summary>
    public static Command Inspect(string container) =>
        new(Docker, ["inspect", container]) { Title = "inspect the container", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The processes in a container, as the host sees them (no ps needed in the image).</summary>
    public static Command Top(string container) =>
        new(Docker, ["top", container]) { Title = "processes in the container", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The container's healthcheck run by hand: CMD-SHELL through its shell, CMD as its argument list.</summary>
    public static Command RunHealthcheck(string container, IReadOnlyList<string> test) =>
        new(Docker, ["exec", container, .. test[0] == "CMD-SHELL" ? ["sh", "-c", string.Join(' ', test.Skip(1))] : test.Skip(1).ToArray()])
        {
            Title = "the healthcheck, by hand",
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>From inside a container: whether a name resolves (printing its address) and, with a port, answers TCP (exit 3: no nc to ask with).</summary>
    public static Command Reach(string container, string name, int? port) =>
        new(Docker, ["exec", container, "sh", "-c",
            "a=$(getent hosts \"$1\" 2>/dev/null | awk '{ print $1; exit }')\n" +
            // busybox's nslookup prints its server's address first (port 53): the answer's is the last other one.
            "[ -n \"$a\" ] || a=$(nslookup \"$1\" 2>/dev/null | awk '/^Address/ && !/[:#]53$/ { print $NF }' | tail -n 1)\n" +
            "[ -n \"$a\" ] || { echo \"$1: no address\"; exit 1; }\n" +
            "echo \"$1: $a\"; [ -z \"$2\" ] && exit 0\n" +
            "command -v nc > /dev/null || { echo \"no nc in the image to try port $2\"; exit 3; }\n" +
            "nc -z -w 3 \"$1\" \"$2\" && echo \"$1:$2 answers\" || { echo \"$1:$2 does not answer\"; exit 1; }",
            "sh", name, port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""])
        {
            Title = $"reach {name}",
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The user's command in a running container, through its shell, without standard input (never interactive).</summary>
    public static Command Exec(string container, string command, TimeSpan timeout) =>
        new(Docker, ["exec", container, "sh", "-c", command]) { Title = $"exec in {container[..Math.Min(12, container.Length)]}", Timeout = timeout };

    /// <summary>The user's command in a running container with this terminal attached (--interactive): standard input and a pseudo-terminal.</summary>
    public static Command ExecAttached(string container, string command) =>
        new(Docker, ["exec", "--interactive", "--tty", container, "sh", "-c", command]) { Title = $"exec in {container[..Math.Min(12, container.Length)]}, attached" };

    public static Command Start(string container) => new(Docker, ["start", container]) { Title = "start the new container", Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Stops with the service's grace period (SIGTERM, then SIGKILL when it runs out).</summary>
    public static Command Stop(string container, int graceSeconds) =>
        new(Docker, ["stop", "--time", graceSeconds.ToString(CultureInfo.InvariantCulture), container])
        {
            Title = "stop the old container",
            Timeout = TimeSpan.FromSeconds(graceSeconds + 60),
        };

    public static Command Remove(string container) => new(Docker, ["rm", "--force", container]) { Title = "remove a container", Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>
    /// Removes every container of the service but those of <paramref name="keep"/> that still run; exits 1 when none runs
    /// (then every container of the service is gone, for the caller to create it anew: never two versions side by side).
    /// </summary>
    public static Command KeepOnly(string project, string service, IEnumerable<string> keep) =>
        new("sh", ["-c",
            "p=$1; s=$2; shift 2; alive=\n" +
            "for k; do [ \"$(docker inspect --format '{{.State.Running}}' \"$k\" 2>/dev/null)\" != true ] || alive=\"$alive $k\"; done\n" +
            "for i in $(docker ps --all --quiet --no-trunc --filter \"label=com.docker.compose.project=$p\" --filter \"label=com.docker.compose.service=$s\"); do\n" +
            "  case \"$alive \" in *\" $i \"*) ;; *) docker rm --force \"$i\" > /dev/null || exit 2 ;; esac\n" +
            "done\n" +
            "[ -n \"$alive\" ]",
            "sh", project, service, .. keep.Select(k => new CommandArg(k))])
        {
            Title = $"keep only the containers {service} ran before",
            Timeout = TimeSpan.FromMinutes(2),
        };
}

/// <summary>A container of a service as <see cref="ContainerCommands.OfService"/> lists it.</summary>
public sealed record ServiceContainer(string Id, string State, string Image)
{
    public static IReadOnlyList<ServiceContainer> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 3))
            .Where(p => p.Length == 3)
            .Select(p => new ServiceContainer(p[0], p[1], p[2]))
            .ToList();

    public bool Running => State == "running";
}
