using Octavios.Deploy.Commands;
using Octavios.Deploy.Compose;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Deployment;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Images;
using Octavios.Deploy.Registry;
using Octavios.Deploy.Validation.Checks;
using Octavios.Deploy.Versioning;

namespace Octavios.Deploy.Validation;

/// <summary>What Validate looks at for one run.</summary>
public sealed record ValidationRequest(
    SuiteConfig Config,
    string EnvironmentName,
    EnvironmentConfig Environment,
    IReadOnlyList<SelectedService> Services,
    ReleaseVersion? Version,
    EnvFileLocation EnvFile,
    Func<string, string?> Variables,
    Func<Task<LoadedEnvFile?>> LoadEnvFile,
    Func<string, Task<RegistryCredentials?>> Credentials,
    bool ImagesPushedLater = false,
    string SetupHint = "./build.sh --target=Setup",
    Func<ICommandRunner, Task<LoadedEnvFile?>>? LoadHostEnvFile = null,
    ComposeFileSet? ComposeFiles = null,
    string AccessoryHint = "./build.sh --target=Accessory");

public sealed class ValidationFailedException(ValidationReport report)
    : Exception($"Validation failed: {report.Summary}:\n  " + string.Join("\n  ", report.Errors.Select(e => $"[{e.Check}] {e.Message}")))
{
    public ValidationReport Report { get; } = report;
}

/// <summary>The pre-deploy gate: runs every check, reports all findings, and fails on any error. It only reads.</summary>
public sealed class DeployValidator(ICommandRunner local, Func<IReadOnlyList<ICommandRunner>> targets, RegistryClient registry, IDeployLog log)
{
    public async Task<ValidationReport> RunAsync(ValidationRequest request, CancellationToken cancellation = default)
    {
        var (config, environment) = (request.Config, request.Environment);
        var findings = new List<Finding>();

        var missingServerVariables = ServerVariables.Run(environment, request.Variables).ToList();
        findings.AddRange(missingServerVariables);
        var runners = missingServerVariables.Count == 0 ? targets() : [];
        // The env file is read while the hosts are checked; it is used only if its host answered.
        var loading = runners.Count > 0 || request.EnvFile.IsLocal ? request.LoadEnvFile() : null;
        // Each other host of a fleet has an env file of its own on it: each must pass the same checks.
        var otherEnvFiles = request.LoadHostEnvFile is { } loadHost && !request.EnvFile.IsLocal
            ? runners.Skip(1).Select(loadHost).ToList()
            : [];

        // Every host of a fleet is checked, all at once; each finding names its host.
        var hostFindings = await Task.WhenAll(runners.Select(runner => TargetChecks.RunAsync(runner, request.EnvFile.ExpectedOnTarget,
            config.Validation.MinFreeDiskPercent, config.Compose.Flavor, log, cancellation, request.SetupHint)));
        findings.AddRange(hostFindings.SelectMany(f => f));
        static bool Reached(IReadOnlyList<Finding> host) => !host.Any(f => f.Check is "ssh.connect" or "server.project-dir" && f.Severity == Severity.Error);
        var runner = runners.FirstOrDefault();
        var reachable = runner is not null && Reached(hostFindings[0]);
        if (environment.Kind == EnvironmentKind.Swarm && reachable && !runner!.IsDryRun) findings.AddRange(await SwarmChecks.RunAsync(runner, cancellation));

        LoadedEnvFile? envFile = null;
        try
        {
            if (loading is not null) envFile = await loading;
        }
        catch (EnvFileSyntaxException error)
        {
            findings.Add(Finding.Error("env.syntax", error.Message));
        }
        catch (EnvSourceException error)
        {
            findings.Add(Finding.Error("env.source", error.Message));
        }
        catch (Exception) when (!reachable && !request.EnvFile.IsLocal)
        {
            // An unreachable host: its findings say why; its env file is not read.
        }

        if (!reachable && !request.EnvFile.IsLocal) envFile = null;

        var expectEnvFile = environment.Kind == EnvironmentKind.Local || request.EnvFile.IsLocal;
        if (!findings.Any(f => f.Check is "env.syntax" or "env.source") && !(runner?.IsDryRun ?? false) && (envFile is not null || expectEnvFile))
            findings.AddRange(EnvFileChecks.Run(envFile, request.EnvFile.Name, config.Validation));
        for (var i = 0; i < otherEnvFiles.Count; i++)
        {
            try
            {
                var hostEnvFile = await otherEnvFiles[i];
                // A missing file is the host check's finding (server.env-file); a host not reached has its own.
                if (Reached(hostFindings[i + 1]) && !runners[i + 1].IsDryRun) findings.AddRange(EnvFileChecks.Run(hostEnvFile, null, config.Validation));
            }
            catch (EnvFileSyntaxException error) when (Reached(hostFindings[i + 1]))
            {
                findings.Add(Finding.Error("env.syntax", error.Message));
            }
            catch (Exception) when (!Reached(hostFindings[i + 1]))
            {
            }
        }

        var versions = request.Version is null
            ? new Dictionary<string, string>()
            : DeployRequestFactory.VersionsOf(request.Services, request.Version);
        var suiteVariables = ComposeCommands.ProjectVariables(config, versions);
        string? Lookup(string name) => suiteVariables.GetValueOrDefault(name) ?? request.Variables(name) ?? envFile?[name];

        var files = LoadComposeFiles(config, request.ComposeFiles ?? new ComposeFileSet(config), findings);
        // Accessories run beside the releases on each Compose host (a Swarm runs them as stack services).
        if (files.Count == config.Compose.Files.Count && environment.Kind != EnvironmentKind.Swarm && config.Accessories.Count > 0)
        {
            var hosts = runners.Where((_, i) => Reached(hostFindings[i]));
            foreach (var host in await Task.WhenAll(hosts.Select(host => AccessoryChecks.RunAsync(host, config, environment, files, request.AccessoryHint, cancellation))))
                findings.AddRange(host);
        }

        Task<IEnumerable<Finding>> composeCli = Task.FromResult(Enumerable.Empty<Finding>());
        if (files.Count == config.Compose.Files.Count)
        {
            findings.AddRange(ComposeLint.Run(files, config.Compose.RegistryOverlayFile, config.Validation.Secrets));
            findings.AddRange(StrategyChecks.Run(files, request.Services));
            findings.AddRange(BuildContextChecks.Run(config, request.Services, request.EnvFile.LocalFile));
            if (envFile is null && !request.EnvFile.IsLocal)
            {
                findings.Add(Finding.Info("compose.variables", "not checked: the server's env file could not be read"));
            }
            else
            {
                findings.AddRange(ComposeVariables.Run(files, Lookup));
                composeCli = ComposeCliCheck.RunAsync(local, config, envFile, suiteVariables, log, cancellation);
            }
        }

        // Compose's own reading of the files (a local process) runs while the registry is asked.
        if (environment.Push && files.Count > 0 && request.ImagesPushedLater)
        {
            findings.AddRange(await composeCli);
            findings.Add(Finding.Info("registry.image", "this run builds and pushes the images after Validate: not asked of the registry before they exist"));
        }
        else if (environment.Push && files.Count > 0)
        {
            var images = request.Services.ToDictionary(s => s.Name, s => ComposeFile.ImageOf(files, s.ComposeService, Lookup));
            var known = images.Where(i => i.Value is not null).ToDictionary(i => i.Key, i => i.Value!);
            var registryFindings = RegistryChecks.RunAsync(known, registry, request.Credentials, local, log, cancellation);
            findings.AddRange(await composeCli);
            findings.AddRange(images.Where(i => i.Value is null).Select(i => Finding.Error("registry.image", $"{i.Key}: no image: in the compose files")));
            findings.AddRange(await registryFindings);
        }
        else findings.AddRange(await composeCli);

        findings.AddRange(GitChecks.Run(config.BaseDirectory, config.Validation.ReleaseBranch));
        // The plain file a server's environment reads here: --env-file, or its envFile's path in this checkout (Setup uploads it).
        var plain = request.EnvFile.LocalFile ?? (request.EnvFile.Source is null && request.EnvFile.TargetPath is { } path ? config.ResolvePath(path) : null);
        if (environment.Kind != EnvironmentKind.Local && plain is not null)
            findings.AddRange(GitChecks.EnvFile(plain, request.EnvironmentName));
        return new ValidationReport(request.EnvironmentName, findings);
    }

    private static List<ComposeFile> LoadComposeFiles(SuiteConfig config, ComposeFileSet composeFiles, List<Finding> findings)
    {
        var files = new List<ComposeFile>();
        foreach (var name in config.Compose.Files)
        {
            try
            {
                files.Add(composeFiles.Parsed(name));
            }
            catch (ComposeFileException error)
            {
                findings.Add(Finding.Error("compose.parse", error.Message));
            }
        }

        return files;
    }
}
