namespace Octavios.Deploy.Commands;

/// <summary>A Docker Swarm stack on its manager as command values: deploy, a service's update state, its tasks, the nodes.</summary>
public static class SwarmCommands
{
    /// <summary>
    /// <c>docker stack deploy</c> of the compose files, the variables they use given on standard input as quoted
    /// exports (never on the command line, where another user of the manager could read them; never by sourcing the
    /// env file, which is not shell). <c>--with-registry-auth</c> forwards this run's registry login to the nodes.
    /// </summary>
    public static Command Deploy(string stack, IReadOnlyList<string> files, IReadOnlyDictionary<string, CommandArg> variables, bool withRegistryAuth)
    {
        var exports = string.Concat(variables.Select(v => $"export {v.Key}={ShellQuote.Quote(v.Value.Value)}\n"));
        var args = new List<CommandArg> { "-c", "eval \"$(cat)\" && exec docker stack deploy \"$@\"", "sh" };
        foreach (var file in files) args.AddRange(["--compose-file", file]);
        if (withRegistryAuth) args.Add("--with-registry-auth");
        args.AddRange(["--detach=true", stack]);
        return new Command("sh", args)
        {
            StandardInput = new CommandArg(exports, variables.Values.Any(v => v.IsSecret)),
            Title = $"docker stack deploy {stack}",
        };
    }

    /// <summary>
    /// Swarm's own rollback to the service's previous spec, unless its spec already runs <paramref name="version"/>'s image
    /// (the change never reached it): a repair that needs no secret of the stack's.
    /// </summary>
    public static Command RollbackUnlessAt(string service, string version) =>
        new("sh", ["-c",
            "case \"$(docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' \"$1\")\" in *\":$2\"|*\":$2@\"*) exit 0 ;; esac\n" +
            "docker service rollback --detach \"$1\" > /dev/null",
            "sh", service, version])
        {
            Title = $"roll {service} back",
            Timeout = TimeSpan.FromMinutes(2),
        };

    /// <summary>One line: spec version | update state | update started at | update message | image of the spec | running/desired replicas.</summary>
    public static Command ServiceState(string service) =>
        new("sh", ["-c",
            "s=$(docker service inspect --format '{{.Version.Index}}|{{if .UpdateStatus}}{{.UpdateStatus.State}}|{{.UpdateStatus.StartedAt}}|{{.UpdateStatus.Message}}{{else}}||{{end}}|{{.Spec.TaskTemplate.ContainerSpec.Image}}' \"$1\") || exit 1\n" +
            "r=$(docker service ls --filter \"name=$1\" --format '{{.Name}} {{.Replicas}}' | awk -v n=\"$1\" '$1 == n {print $2}')\n" +
            // How many tasks meant to run do not run the image the spec names (the digest aside: service ps may show it or not).
            "i=${s##*|}; i=${i%%@*}\n" +
            "o=$(docker service ps --filter desired-state=running --format '{{.Image}}' \"$1\" 2>/dev/null | awk -v i=\"$i\" '{ sub(/@.*/, \"\"); if ($0 != i) n++ } END { print n + 0 }')\n" +
            "echo \"$s|$r|$o\"",
            "sh", service])
        {
            Title = $"state of {service}",
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The service's tasks: name | image | desired state | current state | error, newest first.</summary>
    public static Command Tasks(string service) =>
        new(DockerCommands.Program, ["service", "ps", "--no-trunc", "--format", "{{.Name}}|{{.Image}}|{{.DesiredState}}|{{.CurrentState}}|{{.Error}}", service])
        {
            Title = $"tasks of {service}",
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The swarm's nodes: hostname | status | availability | manager status.</summary>
    public static Command Nodes() =>
        new(DockerCommands.Program, ["node", "ls", "--format", "{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}"])
        {
            Title = "swarm nodes",
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The services of a stack, one name a line (stack_service).</summary>
    public static Command StackServices(string stack) =>
        new(DockerCommands.Program, ["service", "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}"])
        {
            Title = $"services of the stack {stack}",
            Timeout = TimeSpan.FromSeconds(30),
        };
}

/// <summary>Where the update a stack deploy started on a service stands.</summary>
public enum SwarmUpdate
{
    Waiting,
    Done,
    RolledBack,
    Paused,
}

/// <summary>A Swarm service as <see cref="SwarmCommands.ServiceState"/> prints it; <paramref name="OffSpec"/>: tasks meant to run on another image than the spec's.</summary>
public sealed record SwarmServiceState(string Version, string UpdateState, string UpdateStartedAt, string UpdateMessage, string Image, string Replicas, int OffSpec = 0)
{
    public bool AllRunning => Replicas.Split('/') is [var running, var desired] && running == desired.Split(' ')[0] && running != "0";

    /// <summary>
    /// The update seen against the state before the stack deploy: its own update's end, when Swarm reports one; else
    /// done once every replica runs the image the spec names and <paramref name="settled"/> (a moment for an update to
    /// begin): Swarm may start an update late, or drop its status when a change undoes one still running.
    /// </summary>
    public SwarmUpdate UpdateSince(SwarmServiceState? before, bool settled)
    {
        var own = UpdateStartedAt.Length > 0 && UpdateStartedAt != before?.UpdateStartedAt;
        if (own && UpdateState is "rollback_completed") return SwarmUpdate.RolledBack;
        if (own && UpdateState is "rollback_paused" or "paused") return SwarmUpdate.Paused;
        if (own && UpdateState is "completed" && AllRunning) return SwarmUpdate.Done;
        return UpdateState is not ("updating" or "rollback_started") && AllRunning && OffSpec == 0 && settled ? SwarmUpdate.Done : SwarmUpdate.Waiting;
    }

    public static SwarmServiceState? Parse(string line) =>
        line.Trim().Split('|') switch
        {
            [var version, var state, var started, var message, var image, var replicas, var off] when int.TryParse(off, out var offSpec) =>
                new SwarmServiceState(version, state, started, message, image, replicas, offSpec),
            [var version, var state, var started, var message, var image, var replicas] => new SwarmServiceState(version, state, started, message, image, replicas),
            _ => null,
        };
}
