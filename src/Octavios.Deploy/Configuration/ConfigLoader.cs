using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Core.Events;

namespace Octavios.Deploy.Configuration;

/// <summary>Reads octavios.build.yml; every rule broken is reported as file:line:column.</summary>
public static class ConfigLoader
{
    public const string DefaultFileName = "octavios.build.yml";

    /// <summary>A configuration is a few kilobytes; anything past this is not one.</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>Nodes visited through anchors and aliases at most (a "billion laughs" file expands without end).</summary>
    private const int MaxNodes = 100_000;

    public static SuiteConfig Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new DeployInputException($"Configuration file not found: {fullPath} (set --config=PATH).");
        // A FIFO or a device reports size 0 and is never opened: reading one would wait or never end.
        var length = new FileInfo(fullPath).Length;
        if (length == 0) throw new DeployInputException($"{fullPath}: empty, or not a regular file: --config must name the YAML configuration.");
        if (length > MaxBytes) throw new DeployInputException($"{fullPath}: {length} bytes, more than a configuration's {MaxBytes / 1024} KiB: --config must name the YAML configuration.");
        return Parse(File.ReadAllText(fullPath), fullPath);
    }

    public static SuiteConfig Parse(string yaml, string filePath)
    {
        var marks = new Dictionary<string, Mark>();
        SuiteConfig? config;
        List<ParsingEvent> events = [];
        try
        {
            events = Scan(yaml, filePath);
            var stream = new YamlStream();
            stream.Load(new Replay(events));
            if (stream.Documents.Count > 1) throw new DeployInputException($"{filePath}:{stream.Documents[1].RootNode.Start.Line}:1: one YAML document only");
            var budget = MaxNodes;
            if (stream.Documents.Count > 0) IndexMarks(stream.Documents[0].RootNode, "", marks, ref budget, filePath);
            config = new StaticDeserializerBuilder(new ConfigYamlContext())
                .WithNamingConvention(new LowerFirstLetter())
                .Build()
                .Deserialize<SuiteConfig?>(new Replay(events));
        }
        catch (YamlException error)
        {
            var reason = (error.InnerException?.Message ?? error.Message).Split('\n')[0];
            // An overflowing number: name the key at that position, with the range the key allows.
            if (error.InnerException is OverflowException || reason.Contains("too large or too small", StringComparison.Ordinal))
                reason = $"{marks.FirstOrDefault(m => m.Value.Line == error.Start.Line).Key ?? "a number"}: out of range";
            // The deserializer's messages quote the value they choke on: a configuration may hold a credential.
            var keys = marks.Where(m => !char.IsAsciiDigit(m.Key[(m.Key.LastIndexOf('.') + 1)..].FirstOrDefault())).Select(m => m.Value).ToHashSet();
            if (events.OfType<Scalar>().FirstOrDefault(e => e.Start.Line == error.Start.Line && !keys.Contains(e.Start) && e.Value.Length > 0
                    && reason.Contains(e.Value, StringComparison.Ordinal)) is { } scalar)
                reason = reason.Replace(scalar.Value, $"(a value of {scalar.Value.Length} characters)", StringComparison.Ordinal);
            throw new DeployInputException($"{filePath}:{error.Start.Line}:{error.Start.Column}: {reason}");
        }

        config ??= new SuiteConfig();
        config.FilePath = filePath;
        config.BaseDirectory = Path.GetDirectoryName(filePath)!;
        Compose.ComposeBuildSettings.Fill(config);
        var errors = Validate(config)
            .Select(e => $"{filePath}:{Locate(marks, e.Path)}: {e.Path}: {e.Rule}")
            .ToList();
        if (errors.Count > 0)
            throw new DeployInputException("Invalid configuration:\n  " + string.Join("\n  ", errors));

        foreach (var (name, service) in config.Services)
        {
            if (service.ComposeService.Length == 0) service.ComposeService = name;
        }

        foreach (var (name, accessory) in config.Accessories)
        {
            if (accessory.ComposeService.Length == 0) accessory.ComposeService = name;
        }

        config.Environments.TryAdd("local", EnvironmentConfig.DefaultLocal());
        return config;
    }

    /// <summary>
    /// The file's parsing events, read once for both the node tree (positions) and the configuration. Some malformed
    /// input makes YamlDotNet's scanner throw without a position: that reports where parsing stopped.
    /// </summary>
    private static List<ParsingEvent> Scan(string yaml, string filePath)
    {
        var parser = new Parser(new StringReader(yaml));
        var events = new List<ParsingEvent>();
        try
        {
            while (parser.MoveNext()) events.Add(parser.Current!);
        }
        catch (InvalidOperationException)
        {
            var last = events.Count > 0 ? events[^1].End : Mark.Empty;
            throw new DeployInputException($"{filePath}:{last.Line}:{last.Column}: YAML syntax error after this point (an unclosed bracket or quote?)");
        }

        return events;
    }

    /// <summary>Recorded events read again; YamlDotNet has no parser over a list of them.</summary>
    private sealed class Replay(List<ParsingEvent> events) : IParser
    {
        private int _next;

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            Current = _next < events.Count ? events[_next++] : null;
            return Current is not null;
        }
    }

    /// <summary>Property names as keys, camelCase (no property name has '_' or '-'): YamlDotNet's CamelCase convention runs a regex, ~8 ms at start.</summary>
    private sealed class LowerFirstLetter : INamingConvention
    {
        public string Apply(string value) => value.Length == 0 ? value : char.ToLowerInvariant(value[0]) + value[1..];

        public string Reverse(string value) => value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..];
    }

    private static IEnumerable<(string Path, string Rule)> Validate(SuiteConfig config)
    {
        if (!IsName(config.Namespace) && config.Namespace.Length > 0)
            yield return ("namespace", "must be lower-case letters, digits, '.', '_' or '-'");
        if (config.Registry.Length == 0) yield return ("registry", "required: the registry host, e.g. docker.io");
        if (config.Compose.Project.Length == 0) yield return ("compose.project", "required: the Compose project name (-p)");
        if (config.Compose.Files.Count == 0) yield return ("compose.files", "required: at least one compose file");
        for (var i = 0; i < config.Compose.Files.Count; i++)
        {
            if (!File.Exists(config.ResolvePath(config.Compose.Files[i])))
                yield return ($"compose.files.{i}", $"file not found: {config.ResolvePath(config.Compose.Files[i])}");
        }

        if (config.Services.Count == 0) yield return ("services", "required: at least one service");
        foreach (var (name, service) in config.Services)
        {
            var at = $"services.{name}";
            if (!IsName(name) || name is ServiceSelection.All or ServiceSelection.Changed)
                yield return (at, "a service name is lower-case letters, digits, '-' or '_', and not 'all' or 'changed'");
            if (!IsName(service.Image)) yield return ($"{at}.image", "required: lower-case image name under the namespace");
            if (service.Context.Length == 0) yield return ($"{at}.context", "required: the build context folder, or a build: section for the service in compose.buildFiles");
            else if (!Directory.Exists(config.ResolvePath(service.Context)))
                yield return ($"{at}.context", $"folder not found: {config.ResolvePath(service.Context)}");
            if (service.Dockerfile.Length > 0 && !File.Exists(config.ResolvePath(service.Dockerfile)))
                yield return ($"{at}.dockerfile", $"file not found: {config.ResolvePath(service.Dockerfile)}");
            if (!IsVariable(service.VersionVariable))
                yield return ($"{at}.versionVariable", "required: the compose variable holding the version, e.g. BACKEND_VERSION");
            if (service.Paths.Count == 0) yield return ($"{at}.paths", "required: the source globs whose change means a redeploy");
            if (service.Strategy is not ("auto" or "start-first" or "recreate")) yield return ($"{at}.strategy", "must be auto, start-first or recreate");
            if (service.Health is { } health && !(Uri.TryCreate(health.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
                yield return ($"{at}.health.url", "must be an absolute http(s) URL");
        }

        foreach (var (name, accessory) in config.Accessories)
        {
            var at = $"accessories.{name}";
            if (!IsName(name)) yield return (at, "an accessory name is lower-case letters, digits, '-' or '_'");
            if (config.Services.ContainsKey(name)) yield return (at, $"'{name}' is a service too: an accessory is what the releases do not own");
            if (accessory.Backup is { } backup && backup.Command.Length == 0) yield return ($"{at}.backup.command", "required: the command printing the backup, run in the accessory's container");
        }

        var users = new Dictionary<string, int>();
        foreach (var (name, service) in config.Services)
        {
            if (service.VersionVariable.Length == 0) continue;
            users[service.VersionVariable] = users.GetValueOrDefault(service.VersionVariable) + 1;
            if (users[service.VersionVariable] == 2) // reported once, at its second user
                yield return ($"services.{name}.versionVariable", $"'{service.VersionVariable}' is used by more than one service");
        }

        foreach (var (name, environment) in config.Environments)
        {
            var at = $"environments.{name}";
            if (!IsName(name)) yield return (at, "an environment name is lower-case letters, digits, '-' or '_'");
            if (environment.IsRemote)
            {
                if (!IsVariable(environment.ServerFrom)) yield return ($"{at}.serverFrom", "must name an environment variable, e.g. DEPLOY_SERVER");
                if (!IsVariable(environment.ProjectDirFrom)) yield return ($"{at}.projectDirFrom", "must name an environment variable, e.g. DEPLOY_PROJECT_DIR");
                foreach (var (host, i) in environment.Hosts.Select((h, i) => (h, i)))
                    if (!Remote.ServerAddress.IsValid(host)) yield return ($"{at}.hosts[{i}]", $"'{host}' is not [user@]host[:port]");
                foreach (var (service, hosts) in environment.Roles)
                {
                    if (!config.Services.ContainsKey(service)) yield return ($"{at}.roles.{service}", $"'{service}' is not a service of services:");
                    if (hosts.Count == 0) yield return ($"{at}.roles.{service}", "names no host");
                    foreach (var host in hosts.Where(h => environment.Hosts.Count > 0 && !environment.Hosts.Any(known => known == h || Remote.ServerAddress.IsValid(known) && Remote.ServerAddress.Parse(known).Host == h)))
                        yield return ($"{at}.roles.{service}", $"'{host}' is not one of the environment's hosts");
                }

                if (Deployment.HostBatches.ParseSize(environment.BatchSize) is null)
                    yield return ($"{at}.batchSize", "must be a count of hosts (1 to 1000) or a percentage (1% to 100%)");
            }

            // A key its kind never reads is an error, not a setting silently ignored.
            if (environment.ComposeFiles.Count > 0 && environment.Kind != EnvironmentKind.Swarm)
                yield return ($"{at}.composeFiles", $"read by swarm environments only; a {Kind(environment)} environment deploys compose.files");
            if (environment.Roles.Count > 0 && environment.Kind != EnvironmentKind.Ssh)
                yield return ($"{at}.roles", $"read by ssh environments (fleets) only; a {Kind(environment)} environment places no service by host");
            if (environment.Hosts.Count > 0 && environment.Kind == EnvironmentKind.Local)
                yield return ($"{at}.hosts", "a local environment deploys on this machine's engine: it has no hosts");
            if (environment.EnvSource is { } source)
            {
                foreach (var problem in EnvSourceRules(environment, source)) yield return ($"{at}.envSource{problem.Key}", problem.Rule);
            }
        }

        const int day = 86_400;
        foreach (var (key, value, min, max) in new (string, int, int, int)[]
                 {
                     ("deploy.healthTimeoutSeconds", config.Deploy.HealthTimeoutSeconds, 1, day),
                     ("deploy.lockStaleSeconds", config.Deploy.LockStaleSeconds, 2, day),
                     ("deploy.lostClientSeconds", config.Deploy.LostClientSeconds, 3, 3_600),
                     ("deploy.stableSeconds", config.Deploy.StableSeconds, 0, 3_600),
                     ("deploy.pullTimeoutSeconds", config.Deploy.PullTimeoutSeconds, 1, day),
                     ("deploy.logTail", config.Deploy.LogTail, 0, 10_000),
                     ("deploy.batchSize", config.Deploy.BatchSize, 1, 1_000),
                     ("deploy.drainSeconds", config.Deploy.DrainSeconds, 0, 600),
                     ("build.parallelism", config.Build.Parallelism, 1, 64),
                     ("prune.keep", config.Prune.Keep, 0, 1_000),
                     ("validation.minSecretLength", config.Validation.MinSecretLength, 1, 4_096),
                     ("validation.minFreeDiskPercent", config.Validation.MinFreeDiskPercent, 0, 100),
                 })
        {
            if (value < min || value > max) yield return (key, $"{value} is out of range: {min} to {max}");
        }

        foreach (var (key, path) in ConfiguredPaths(config))
        {
            if (!IsInside(config.BaseDirectory, path))
                yield return (key, $"'{path}' leaves the project directory: paths are relative and stay inside it (no absolute path, no '..' out)");
        }
        if (config.Tags.LatestAt is not ("deploy" or "push")) yield return ("tags.latestAt", "must be deploy or push");
        if (config.Compose.Version is not (null or "v1" or "v2")) yield return ("compose.version", "must be v1 or v2");
    }

    private static string Locate(Dictionary<string, Mark> marks, string path)
    {
        for (var p = path; ; p = p[..p.LastIndexOf('.')])
        {
            if (marks.TryGetValue(p, out var mark)) return $"{mark.Line}:{mark.Column}";
            if (!p.Contains('.')) return "1:1";
        }
    }

    /// <summary>Every path the configuration names, with its key: each must resolve inside the project directory, here and on a server.</summary>
    private static IEnumerable<(string Key, string Path)> ConfiguredPaths(SuiteConfig config)
    {
        for (var i = 0; i < config.Compose.Files.Count; i++) yield return ($"compose.files.{i}", config.Compose.Files[i]);
        for (var i = 0; i < config.Compose.BuildFiles.Count; i++) yield return ($"compose.buildFiles.{i}", config.Compose.BuildFiles[i]);
        if (config.Compose.RegistryOverlay is { } overlay) yield return ("compose.registryOverlay", overlay);
        foreach (var (name, service) in config.Services)
        {
            yield return ($"services.{name}.context", service.Context);
            if (service.Dockerfile.Length > 0) yield return ($"services.{name}.dockerfile", service.Dockerfile);
        }

        foreach (var (name, environment) in config.Environments)
        {
            if (environment.EnvFile is { } envFile) yield return ($"environments.{name}.envFile", envFile);
            for (var i = 0; i < environment.ComposeFiles.Count; i++) yield return ($"environments.{name}.composeFiles.{i}", environment.ComposeFiles[i]);
        }
        yield return ("deploy.backup.directory", config.Deploy.Backup.Directory);
    }

    public static bool IsInside(string baseDirectory, string relative)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.StartsWith('~')) return relative.Length == 0;
        var root = Path.GetFullPath(baseDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(Path.Combine(root, relative)).StartsWith(root, StringComparison.Ordinal);
    }

    private static void IndexMarks(YamlNode node, string path, Dictionary<string, Mark> marks, ref int budget, string filePath)
    {
        if (--budget < 0)
            throw new DeployInputException($"{filePath}:{node.Start.Line}:{node.Start.Column}: the document expands past {MaxNodes} nodes through its aliases: not a configuration");
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var childPath = path.Length == 0 ? key.ToString() : $"{path}.{key}";
                    marks[childPath] = key.Start;
                    IndexMarks(value, childPath, marks, ref budget, filePath);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    marks[$"{path}.{i}"] = sequence.Children[i].Start;
                    IndexMarks(sequence.Children[i], $"{path}.{i}", marks, ref budget, filePath);
                }

                break;
        }
    }

    // Character tests, not regexes: the first Regex of a run costs ~6 ms of start-up, and a run always reads the configuration.
    /// <summary>^[a-z0-9][a-z0-9._-]*$</summary>
    private static string Kind(EnvironmentConfig environment) => environment.Kind.ToString().ToLowerInvariant();

    private static IEnumerable<(string Key, string Rule)> EnvSourceRules(EnvironmentConfig environment, EnvSourceConfig source)
    {
        // Compose on this machine reads its env file from disk: a source would have to write the secrets there.
        if (environment.Kind == EnvironmentKind.Local)
            yield return ("", "read by environments on servers only: a local environment's Compose reads its env file from disk");
        else if (environment.EnvFile is null)
            yield return ("", "needs the environment's envFile: the path on the server the file it gives is uploaded to");
        if (source.Age is not null && source.Command is not null) yield return ("", "age or command, not both");
        if (source.Age is null && source.Command is null && source.Variables.Count == 0) yield return ("", "give age, command or variables");
        if (source.Age is { Length: 0 }) yield return (".age", "must name the encrypted env file");
        if (source.Command is { Length: 0 }) yield return (".command", "must be a command printing an env file");
        if ((source.Identity is not null || source.Recipients.Count > 0) && source.Age is null) yield return (".identity", "read with age only");
        foreach (var recipient in source.Recipients.Where(r => !r.StartsWith("age1", StringComparison.Ordinal)))
            yield return (".recipients", $"'{recipient}' is not an age public key (age1...)");
        if (source.TimeoutSeconds is < 1 or > 3_600) yield return (".timeoutSeconds", "must be between 1 and 3600");
        foreach (var (name, variable) in source.Variables)
        {
            if (!IsVariable(name)) yield return ($".variables.{name}", "not a variable name");
            if (variable.Command.Length == 0) yield return ($".variables.{name}.command", "must be a command printing the value");
        }
    }

    private static bool IsName(string value)
    {
        if (value.Length == 0 || !(char.IsAsciiLetterLower(value[0]) || char.IsAsciiDigit(value[0]))) return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }

    /// <summary>^[A-Za-z_][A-Za-z0-9_]*$</summary>
    private static bool IsVariable(string value)
    {
        if (value.Length == 0 || !(char.IsAsciiLetter(value[0]) || value[0] == '_')) return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }
}
