using Octavios.Deploy.Output;
using Cake.Core;
using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;
using Octavios.Deploy.Versioning;

namespace Octavios.Build;

/// <summary>The run's arguments, read and checked once against the configuration: where to, which services, which release, how.</summary>
public sealed record RunOptions(
    string EnvironmentName,
    EnvironmentConfig Environment,
    ServiceSelection Selection,
    ReleaseVersion? Version,
    string Since,
    bool NoCache,
    string? ReportPath,
    bool IncludeUncommitted,
    bool Force,
    bool ShipsOverSsh,
    TimeSpan LockWait,
    bool TrustNewHost,
    EnvFileLocation EnvFile,
    int? Tail,
    string? LogSince,
    IReadOnlyList<string> Hosts,
    string? Command,
    bool Interactive,
    bool Follow,
    string? Grep,
    bool Diff,
    bool Edit,
    string? Accessory,
    string? Action)
{
    /// <summary>Throws <see cref="DeployInputException"/> naming the argument that is wrong.</summary>
    public static RunOptions Parse(ICakeArguments arguments, SuiteConfig config)
    {
        string? Argument(string name) => arguments.HasArgument(name) && arguments.GetArgument(name) is { Length: > 0 } value ? value : null;
        bool Flag(string name) => Argument(name) is { } value && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

        var name = arguments.GetArgument(BuildArguments.Env);
        var environment = config.Environments.GetValueOrDefault(name) ?? throw new DeployInputException(
            $"Unknown --env='{PrintableText.Inline(name)}'. Valid environments: {string.Join(", ", config.Environments.Keys)}.");
        var services = arguments.GetArguments(BuildArguments.Services);
        var shipsOverSsh = Argument(BuildArguments.Transfer) switch
        {
            null or "registry" => false,
            "ssh" when environment.Kind == EnvironmentKind.Ssh => true,
            "ssh" => throw new DeployInputException($"--transfer=ssh needs an ssh environment; '{name}' runs on this machine."),
            var other => throw new DeployInputException($"Unknown --transfer='{PrintableText.Inline(other)}'. Valid values: registry, ssh."),
        };
        var lockWait = int.TryParse(Argument(BuildArguments.LockWait) ?? "0", out var wait) && wait >= 0
            ? TimeSpan.FromSeconds(wait)
            : throw new DeployInputException($"--lock-wait='{PrintableText.Inline(Argument(BuildArguments.LockWait)!)}' is not a number of seconds.");
        return new RunOptions(
            name,
            environment,
            ServiceSelection.Parse(services.Count == 0 ? [ServiceSelection.All] : services, config.ServiceNames),
            Argument(BuildArguments.Version) is { } version ? ReleaseVersion.Parse(version) : null,
            arguments.GetArgument(BuildArguments.Since),
            Flag(BuildArguments.NoCache),
            Argument(BuildArguments.Report),
            Flag(BuildArguments.IncludeUncommitted),
            Flag(BuildArguments.Force),
            shipsOverSsh,
            lockWait,
            Flag(BuildArguments.TrustNewHost),
            EnvFileLocation.For(config, environment, Argument(BuildArguments.EnvFile)),
            Argument(BuildArguments.Tail) is { } tail
                ? int.TryParse(tail, out var lines) && lines is > 0 and <= 100_000 ? lines : throw new DeployInputException($"--tail='{PrintableText.Inline(tail)}' is not a number of lines (1 to 100000).")
                : null,
            Argument(BuildArguments.LogSince) is { } since
                ? System.Text.RegularExpressions.Regex.IsMatch(since, @"^[0-9A-Za-z:.+-]{1,40}\z") ? since : throw new DeployInputException($"--log-since='{PrintableText.Inline(since)}' is not a time (10m, 2h, 2026-11-29T08:00:00).")
                : null,
            arguments.GetArguments(BuildArguments.Hosts).SelectMany(h => h.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
            Argument(BuildArguments.Command),
            Flag(BuildArguments.Interactive),
            Flag(BuildArguments.Follow),
            Argument(BuildArguments.Grep),
            Flag(BuildArguments.Diff),
            Flag(BuildArguments.Edit),
            Argument(BuildArguments.Accessory),
            Argument(BuildArguments.Action));
    }

    /// <summary>Images travel through the registry: pushed here, pulled by the target.</summary>
    public bool UsesRegistry => Environment.Push && !ShipsOverSsh;
}
