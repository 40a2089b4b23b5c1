namespace Octavios.Build.Tests.Support;

/// <summary>
/// The whole production picture on loopback: the example app in its own git repository, a registry (with or
/// without htpasswd auth), an sshd standing in for the server, and the server's project directory with its
/// compose files and envs/.env.prod.
/// </summary>
public sealed class ProdRig : IDisposable
{
    public const string SecretKey = "prod-secret-key-0f3c9a1b7d2e4f6a8b0c1d2e3f4a5b6c";
    public const string JwtSecretKey = "prod-jwt-secret-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    public const string DatabasePassword = "YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)";

    public TestRegistry Registry { get; }

    public ExampleApp App { get; }

    public TestSshServer Ssh { get; }

    public string ProjectDirectory { get; private set; }

    public string DockerConfig { get; }

    public ProdRig(bool registryAuth = false)
    {
        Registry = TestRegistry.Start(registryAuth);
        App = new ExampleApp(Registry.Address, push: false);
        Ssh = TestSshServer.Start();
        ProjectDirectory = Directory.CreateTempSubdirectory("octavios-server-").FullName;
        DockerConfig = Directory.CreateTempSubdirectory("octavios-docker-config-").FullName;
        PrepareServer(App, ProjectDirectory);
    }

    public string ServerEnvFile => Path.Combine(ProjectDirectory, "envs", ".env.prod");

    public void WriteServerEnvFile(string jwtSecret) => WriteServerEnvFile(App, ProjectDirectory, jwtSecret, "https://octavios.example.invalid");

    /// <summary>A server's project directory as Setup leaves it: the app's compose files and its envs/.env.prod.</summary>
    public static void PrepareServer(ExampleApp app, string projectDirectory, string corsOrigins = "https://octavios.example.invalid")
    {
        Directory.CreateDirectory(Path.Combine(projectDirectory, "infra"));
        foreach (var file in Directory.GetFiles(Path.Combine(app.Directory, "infra")))
            File.Copy(file, Path.Combine(projectDirectory, "infra", Path.GetFileName(file)), overwrite: true);
        WriteServerEnvFile(app, projectDirectory, JwtSecretKey, corsOrigins);
    }

    private static void WriteServerEnvFile(ExampleApp app, string projectDirectory, string jwtSecret, string corsOrigins)
    {
        var file = Path.Combine(projectDirectory, "envs", ".env.prod");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var ports = new[] { "BACKEND", "WEB", "FILE_MANAGER", "BANK_ADVISOR", "ALETHEIA" }.Select((name, i) => $"{name}_PORT={app.PortBase + i + 1}");
        File.WriteAllLines(file, new[]
        {
            "# production values",
            $"SECRET_KEY={SecretKey}",
            $"JWT_SECRET_KEY={jwtSecret}",
            $"DATABASE_PASSWORD='{DatabasePassword}'",
            $"CORS_ORIGINS={corsOrigins}",
        }.Concat(ports));
    }

    /// <summary>Environment for a run against this rig: server, key, known_hosts, registry credentials, docker CLI config.</summary>
    public Dictionary<string, string> Environment(bool withCredentials = true)
    {
        var environment = Ssh.Environment(ProjectDirectory);
        environment["DOCKER_CONFIG"] = DockerConfig;
        if (withCredentials && Registry.Credentials is { } c)
        {
            environment["REGISTRY_USERNAME"] = c.User;
            environment["REGISTRY_PASSWORD"] = c.Password;
        }

        return environment;
    }

    public Octavios.Deploy.Execution.CommandResult Run(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Shell.BuildScript(environment ?? Environment(), [$"--config={App.ConfigPath}", "--env=prod", .. args]);

    /// <summary>Builds and pushes the given services at a version, through the suite's own Push target.</summary>
    public void Push(string version, params string[] services)
    {
        var push = Run(null, "--target=Push", $"--services={string.Join(',', services)}", $"--version={version}");
        Assert.That(push.ExitCode, Is.Zero, push.StandardOutput + push.StandardError);
    }

    /// <summary>Moves the server's project directory to a new name (spaces, quotes: whatever the test wants).</summary>
    public void RenameProjectDirectory(string name)
    {
        var target = Path.Combine(Path.GetDirectoryName(ProjectDirectory)!, name);
        Directory.Move(ProjectDirectory, target);
        ProjectDirectory = target;
    }

    public string ServerFile(string relative) => Path.Combine(ProjectDirectory, relative);

    public void Dispose()
    {
        App.Dispose();
        Ssh.Dispose();
        Registry.Dispose();
        Directory.Delete(ProjectDirectory, true);
        Directory.Delete(DockerConfig, true);
    }
}
