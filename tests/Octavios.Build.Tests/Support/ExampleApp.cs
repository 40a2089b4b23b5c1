using LibGit2Sharp;

namespace Octavios.Build.Tests.Support;

/// <summary>
/// A copy of examples/octavios in its own git repository, with its own Compose project name, host ports
/// and registry, so end-to-end runs never touch the user's own deploy of the example.
/// </summary>
public sealed class ExampleApp : IDisposable
{
    public string Directory { get; }

    public string Project { get; }

    public string ConfigPath => Path.Combine(Directory, "octavios.build.yml");

    public int PortBase { get; }

    /// <summary>The deploy setting the tests start with (the configuration ends with its deploy: section).</summary>
    public const string StableSetting = "stableSeconds: 2";

    /// <summary>Replaces a line of the configuration and commits the change.</summary>
    public void Configure(string from, string to)
    {
        var text = File.ReadAllText(ConfigPath);
        Assert.That(text, Does.Contain(from));
        File.WriteAllText(ConfigPath, text.Replace(from, to));
        Commit($"configure {to}");
    }

    public ExampleApp(string registry, bool push)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("octavios-app-").FullName;
        Project = "e2e" + Guid.NewGuid().ToString("N")[..8];
        PortBase = 20000 + Random.Shared.Next(0, 400) * 10;
        Copy(Path.Combine(SuiteRun.RepositoryRoot, "examples", "octavios"), Directory);

        var config = File.ReadAllText(ConfigPath)
            .Replace("registry: docker.io", $"registry: {registry}")
            .Replace("  project: octavios", $"  project: {Project}")
            .Replace("    push: false", $"    push: {(push ? "true" : "false")}");
        for (var i = 1; i <= 5; i++) config = config.Replace($"127.0.0.1:800{i}/", $"127.0.0.1:{PortBase + i}/");
        // A short stability window keeps each deploy of the tests quick; tests of the window itself set their own.
        config += $"  {StableSetting}\n";
        File.WriteAllText(ConfigPath, config);

        var ports = new[] { "BACKEND", "WEB", "FILE_MANAGER", "BANK_ADVISOR", "ALETHEIA" }
            .Select((name, i) => $"{name}_PORT={PortBase + i + 1}");
        File.AppendAllLines(Path.Combine(Directory, "envs", ".env.local"), ports);

        Repository.Init(Directory);
        Commit("example app", tag: "v0.2.2");
    }

    public string Commit(string message, string? tag = null)
    {
        using var repository = new Repository(Directory);
        LibGit2Sharp.Commands.Stage(repository, "*");
        var signature = new Signature("Octavios Tests", "tests@octavios.invalid", DateTimeOffset.UtcNow);
        var sha = repository.Commit(message, signature, signature).Sha;
        if (tag is not null) repository.ApplyTag(tag, sha);
        return sha;
    }

    /// <summary>Containers of this app's Compose project, by service: (id, image, health).</summary>
    public IReadOnlyDictionary<string, (string Id, string Image, string Health)> Containers()
    {
        var ids = Shell.Docker("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={Project}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return ids.Select(id => Shell.Docker("inspect", "--format",
                "{{index .Config.Labels \"com.docker.compose.service\"}}|{{.Id}}|{{.Config.Image}}|" + Octavios.Deploy.Commands.DockerCommands.HealthFormat, id)
            .Split('|'))
            .ToDictionary(p => p[0], p => (p[1], p[2], p[3]));
    }

    /// <summary>A file of the app's deploy state (.octavios/…), the local environment's "server".</summary>
    public string StateFile(string relative) => Path.Combine(Directory, relative);

    /// <summary>Whether the deploy lock (a symbolic link, or an old-style directory) exists.</summary>
    public bool LockHeld() => new FileInfo(StateFile(Octavios.Deploy.Commands.LockCommands.Link)) is { } link && (link.Exists || link.LinkTarget is not null || System.IO.Directory.Exists(link.FullName));

    public void Dispose()
    {
        var ids = Shell.Docker("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={Project}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0) Shell.Run("docker", ["rm", "--force", .. ids]);
        Shell.Run("docker", ["network", "rm", $"{Project}_default"]);
        System.IO.Directory.Delete(Directory, true);
    }

    private static void Copy(string from, string to)
    {
        foreach (var directory in System.IO.Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            System.IO.Directory.CreateDirectory(directory.Replace(from, to));
        foreach (var file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to), true);
    }
}
