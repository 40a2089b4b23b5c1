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
        new(Program, ["pull", reference]) { Title = $"pull {reference}", Timeout = TimeSpan.FromMinutes(10) };

    /// <summary>Succeeds when this engine holds the image.</summary>
    public static Command Inspect(string reference) =>
        new(Program, ["image", "inspect", "--format", "{{.Id}}", reference]) { Title = $"look for {reference}" };

    public static Command Push(string reference) =>
        new(Program, ["push", reference]) { Title = $"push {reference}", Timeout = TimeSpan.FromMinutes(10) };

    /// <summary>Password through standard input, so it is never an argument nor on a terminal prompt.</summary>
    public static Command Login(string registry, string username, string password) =>
        new(Program, ["login", registry, "--username", username, "--password-stdin"])
        {
            StandardInput = CommandArg.Secret(password),
            Title = $"log in to {registry}",
        };

    /// <summary>Prints "status health restarts" for a container, health empty when it has no healthcheck.</summary>
    public static Command ContainerState(string containerId) =>
        new(Program, ["inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.RestartCount}}", containerId])
        {
            Title = "container state",
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static Command ContainerImage(string containerId) =>
        new(Program, ["inspect", "--format", "{{.Config.Image}}", containerId]);

    public static Command Logs(string containerId, int tail) =>
        new(Program, ["logs", "--tail", tail.ToString(System.Globalization.CultureInfo.InvariantCulture), containerId]) { Title = "logs", Timeout = TimeSpan.FromSeconds(60) };
}

/// <summary>What <c>docker build</c> needs for one image.</summary>
public sealed record BuildSpec(
    string Context,
    string? Dockerfile,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, CommandArg> BuildArgs,
    IReadOnlyDictionary<string, string> Labels,
    bool NoCache);
