using Octavios.Deploy.Configuration;

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
    IReadOnlyDictionary<string, string> Variables,
    string? ProjectDirectory = null)
{
    /// <summary>The project's invocation: the suite gives the registry and namespace, plus the version variables of a deploy.</summary>
    public static ComposeCommands ForProject(SuiteConfig config, ComposeFlavor flavor, string? envFile, IReadOnlyDictionary<string, string> versions) =>
        new(flavor, config.Compose.Project, config.Compose.Files, envFile, ProjectVariables(config, versions));

    /// <summary>
    /// The same invocation on the copies of its files that a change's journal keeps (<see cref="CopiesForJournal"/>): its
    /// repair runs whatever the tree becomes meanwhile. The project directory stays the first file's, as paths in the files expect.
    /// </summary>
    public ComposeCommands OnJournalCopies() => this with
    {
        Files = Files.Select((_, i) => JournalCopy(i)).ToList(),
        EnvFile = EnvFile is null ? null : $"{Records.DeployJournal.Copies}/env",
        ProjectDirectory = ProjectDirectory ?? (Path.GetDirectoryName(Files[0]) is { Length: > 0 } directory ? directory : "."),
    };

    /// <summary>The server's copies of this invocation's files, made in the step that writes a journal.</summary>
    public IEnumerable<FileChange> CopiesForJournal() =>
        Files.Select((file, i) => FileChange.Copy(JournalCopy(i), file))
            .Concat(EnvFile is null ? [] : [FileChange.Copy($"{Records.DeployJournal.Copies}/env", EnvFile)]);

    private static string JournalCopy(int index) => $"{Records.DeployJournal.Copies}/compose.{index + 1}.yml";

    public static Dictionary<string, string> ProjectVariables(SuiteConfig config, IReadOnlyDictionary<string, string> versions)
    {
        var variables = new Dictionary<string, string>(versions)
        {
            [config.Compose.RegistryVariable] = config.Registry,
            [config.Compose.NamespaceVariable] = config.Namespace,
        };
        return variables;
    }

    /// <summary>
    /// Prints v2 when the docker CLI has the compose plugin, else v1 when docker-compose is on the PATH, else none: one
    /// round trip, and v1's Python is never started just to learn that it is there.
    /// </summary>
    public static Command Detect() =>
        new("sh", ["-c", "if docker compose version >/dev/null 2>&1; then echo v2; elif command -v docker-compose >/dev/null 2>&1; then echo v1; else echo none; fi"])
        {
            Title = "which compose",
            Timeout = TimeSpan.FromSeconds(30),
        };


    public Command Pull(IEnumerable<string> services) => Compose(["pull", .. services], "pull");

    /// <summary>Recreates exactly the named services from their images: never their dependencies, never a build.</summary>
    public Command Up(IEnumerable<string> services) =>
        Compose(["up", "--detach", "--no-deps", "--no-build", "--force-recreate", .. services], "up");

    /// <summary>
    /// Creates, without starting it, one more container of the service beside those that run (which are left as they
    /// are): the new one has this invocation's configuration (its version), the old ones keep theirs.
    /// </summary>
    public Command CreateBeside(string service, int count) =>
        Compose(["up", "--no-deps", "--no-build", "--no-recreate", "--no-start", "--scale", $"{service}={count}", service], "create the new container");

    /// <summary>
    /// The user's command in a fresh one-off container of the service at this invocation's versions, with its env file,
    /// removed afterwards; no pseudo-terminal, no dependency started.
    /// </summary>
    public Command RunOnce(string service, string command, TimeSpan timeout, string? name = null) =>
        Compose(["run", "--rm", "--no-deps", "-T", .. name is null ? Array.Empty<string>() : ["--name", name], service, "sh", "-c", command], $"run once in {service}")
            with { Timeout = timeout };

    /// <summary>
    /// Starts an accessory if it is not running (never recreating a running one, never its dependencies), with the
    /// environment's profiles active so a service under one may start.
    /// </summary>
    public Command Boot(string service, IEnumerable<string> profiles) =>
        Compose([.. profiles.SelectMany(p => new[] { "--profile", p }), "up", "--detach", "--no-deps", "--no-build", "--no-recreate", service], $"boot {service}")
            with { Timeout = TimeSpan.FromMinutes(10) };

    public Command Restart(string service) => Compose(["restart", service], $"restart {service}") with { Timeout = TimeSpan.FromMinutes(5) };

    public Command ContainerIds(string service) => Compose(["ps", "--quiet", service], "ps") with { Timeout = TimeSpan.FromSeconds(60) };

    public Command ConfigQuiet() => Compose(["config", "--quiet"], "check compose configuration");

    private Command Compose(IEnumerable<string> subcommand, string? title)
    {
        var args = new List<CommandArg>();
        var program = Flavor == ComposeFlavor.V2 ? DockerCommands.Program : "docker-compose";
        if (Flavor == ComposeFlavor.V2) args.Add("compose");
        args.AddRange(["--project-name", Project]);
        if (ProjectDirectory is not null) args.AddRange(["--project-directory", ProjectDirectory]);
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
