namespace Octavios.Deploy.Commands;

public enum ComposeFlavor
{
    /// <summary>Compose v2, the docker CLI plugin: <c>docker compose</c>.</summary>
    V2,

    /// <summary>Compose v1, the standalone <c>docker-compose</c>.</summary>
    V1,
}

/// <summary>
/// Compose invocations for one project: explicit project name, every file in overlay order, the env file,
/// and the variables (versions, registry) given through the environment.
/// </summary>
public sealed record ComposeCommands(
    ComposeFlavor Flavor,
    string Project,
    IReadOnlyList<string> Files,
    string? EnvFile,
    IReadOnlyDictionary<string, string> Variables)
{
    public static Command DetectV2() => new(DockerCommands.Program, ["compose", "version"]);

    public static Command DetectV1() => new("docker-compose", ["version"]);

    public Command Pull(IEnumerable<string> services) => Compose(["pull", .. services], "pull");

    /// <summary>Recreates exactly the named services from their images: never their dependencies, never a build.</summary>
    public Command Up(IEnumerable<string> services) =>
        Compose(["up", "--detach", "--no-deps", "--no-build", "--force-recreate", .. services], "up");

    public Command ContainerIds(string service) => Compose(["ps", "--quiet", service], null);

    public Command ConfigQuiet() => Compose(["config", "--quiet"], "check compose configuration");

    private Command Compose(IEnumerable<string> subcommand, string? title)
    {
        var args = new List<CommandArg>();
        var program = Flavor == ComposeFlavor.V2 ? DockerCommands.Program : "docker-compose";
        if (Flavor == ComposeFlavor.V2) args.Add("compose");
        args.AddRange(["--project-name", Project]);
        foreach (var file in Files) args.AddRange(["--file", file]);
        if (EnvFile is not null) args.AddRange(["--env-file", EnvFile]);
        args.AddRange(subcommand.Select(s => new CommandArg(s)));
        return new Command(program, args)
        {
            Environment = Variables.ToDictionary(v => v.Key, v => new CommandArg(v.Value)),
            Title = title is null ? null : $"compose {title}",
        };
    }
}
