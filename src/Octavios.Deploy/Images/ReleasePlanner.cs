using Octavios.Deploy.Output;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Detection;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Registry;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Images;

/// <summary>
/// The images of one release and what the registry already holds of them: planned once (one timestamp for Build, Tag
/// and Push), a release tag from this commit skipped, one from another commit refused unless forced; registry
/// credentials looked up once per registry, their passwords masked. <paramref name="version"/> gives the run's
/// --version, or says it is missing (the run's one check of it).
/// </summary>
public sealed class ReleasePlanner(SuiteConfig config, Func<IReadOnlyList<SelectedService>> services, Func<ReleaseVersion> version, bool noCache,
    bool force, ICommandRunner local, IDeployLog log, SecretMasker masker, Func<string, string?> variables)
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Dictionary<string, Task<RegistryCredentials?>> _credentials = new(StringComparer.Ordinal);
    private IReadOnlyList<ImagePlan>? _images;
    private IReadOnlyList<ImagePlan>? _toShip;
    private string? _revision;
    private bool _registryChecked;

    public RegistryClient Registry { get; } = new(new HttpClient { Timeout = TimeSpan.FromSeconds(15) });

    public string Revision => _revision ??= RepositoryInfo.HeadRevision(config.BaseDirectory);

    public IReadOnlyList<ImagePlan> Images => _images ??= services()
        .Select(s => ImagePlan.Create(config, s, version(), Revision, _startedAt, null, noCache))
        .ToList();

    /// <summary>Before anything is built for a push: the registry must be reachable with credentials if it wants them.</summary>
    public async Task EnsureRegistryAccessAsync()
    {
        if (_registryChecked) return;
        _registryChecked = true;
        if (await Registry.RequiresLoginAsync(config.Registry) && await CredentialsFor(config.Registry) is null)
            throw new InvalidOperationException(
                $"The docker CLI holds no credentials for {config.Registry} and REGISTRY_USERNAME/REGISTRY_PASSWORD are not set. Log in first: docker login {config.Registry}");
    }

    /// <summary>
    /// The images Build, Tag and Push work on: a release tag the registry already holds from this commit is skipped
    /// (said once); one built from another commit stops the run unless forced.
    /// </summary>
    public async Task<IReadOnlyList<ImagePlan>> ImagesToShipAsync(bool checkRegistry)
    {
        if (_toShip is not null) return _toShip;
        if (!checkRegistry) return _toShip = Images;
        var statuses = await ReleaseGuard.CheckAsync(Images, Revision, Registry, await CredentialsFor(config.Registry));
        foreach (var status in statuses.Where(s => s.State == ReleaseState.AlreadyPushed))
            log.Information($"{status.Service} {version()} is already on {config.Registry}, built from this commit ({status.Digest}): not built or pushed again");
        var moved = statuses.Where(s => s.State == ReleaseState.OtherCommit).ToList();
        if (moved.Count > 0 && !force)
            throw new InvalidOperationException(string.Join("\n", moved.Select(s =>
                $"{s.Service}:{version()} is already on {config.Registry}, built from commit {s.Revision ?? "(no revision label)"} ({s.Digest}), not {Revision[..Math.Min(12, Revision.Length)]}: a release tag never moves. Release a new version, or pass --force.")));
        foreach (var status in moved) log.Warning($"--force: replacing {status.Service}:{version()} ({status.Digest}, commit {status.Revision})");
        var skip = statuses.Where(s => s.State == ReleaseState.AlreadyPushed).Select(s => s.Service).ToHashSet();
        return _toShip = Images.Where(i => !skip.Contains(i.Service)).ToList();
    }

    /// <summary>REGISTRY_USERNAME / REGISTRY_PASSWORD, the password registered as a secret.</summary>
    public RegistryCredentials? EnvironmentCredentials()
    {
        var credentials = RegistryCredentials.FromEnvironment(variables);
        masker.Add(credentials?.Password);
        return credentials;
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
            var found = await DockerCredentials.FindAsync(registry, variables, local);
            masker.Add(found?.Password);
            return found;
        }
    }
}
