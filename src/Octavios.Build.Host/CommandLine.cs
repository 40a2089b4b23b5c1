using Cake.Core.Diagnostics;

namespace Octavios.Build.Host;

public enum HostMode
{
    Run,
    DryRun,
    Tree,
    Description,
    Help,
    Info,
    Completion,
}

/// <summary>The command line, split into Cake's own options and the build's arguments.</summary>
public sealed record CommandLine(
    HostMode Mode,
    IReadOnlyList<string> Targets,
    bool Exclusive,
    Verbosity Verbosity,
    string? WorkingDirectory,
    ILookup<string, string> Arguments,
    string? CompletionShell = null)
{
    public const string DefaultTarget = "Default";

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["t"] = "target", ["v"] = "verbosity", ["w"] = "working", ["e"] = "exclusive",
        ["noop"] = "dryrun", ["whatif"] = "dryrun", ["h"] = "help", ["?"] = "help",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.OrdinalIgnoreCase)
    {
        "exclusive", "dryrun", "tree", "description", "help", "info",
    };

    /// <summary>Parses <c>--a=b</c>, <c>--a b</c>, <c>-a b</c>, bare flags and repeated names, case-insensitively.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith('-') || token == "-" || token == "--")
            {
                throw new BuildInputException($"Unexpected argument '{token}': arguments take the form --name=value (see --help).");
            }

            var body = token.TrimStart('-');
            string name;
            string? value = null;
            var equals = body.IndexOf('=');
            if (equals > 0)
            {
                name = body[..equals];
                value = body[(equals + 1)..];
            }
            else
            {
                name = body;
            }

            name = Aliases.TryGetValue(name, out var canonical) ? canonical : name.ToLowerInvariant();
            if (value is null && !Flags.Contains(name) && i + 1 < args.Count && !LooksLikeOption(args[i + 1]))
            {
                value = args[++i];
            }

            pairs.Add(new(name, value ?? "true"));
        }

        var lookup = pairs.ToLookup(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        var targets = lookup["target"].Where(t => t.Length > 0).ToList();
        return new CommandLine(
            ModeOf(lookup),
            targets.Count == 0 ? [DefaultTarget] : targets,
            IsSet(lookup, "exclusive"),
            ParseVerbosity(lookup["verbosity"].LastOrDefault()),
            lookup["working"].LastOrDefault(),
            pairs.Where(p => !IsHostOption(p.Key)).ToLookup(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase),
            lookup["completion"].LastOrDefault());
    }

    private static bool LooksLikeOption(string token) => token.StartsWith('-') && token.Length > 1 && !char.IsDigit(token[1]);

    private static bool IsHostOption(string name) =>
        name is "target" or "verbosity" or "working" or "completion" || Flags.Contains(name);

    private static bool IsSet(ILookup<string, string> lookup, string name) =>
        lookup[name].Any(v => !v.Equals("false", StringComparison.OrdinalIgnoreCase));

    private static HostMode ModeOf(ILookup<string, string> lookup)
    {
        if (IsSet(lookup, "help")) return HostMode.Help;
        if (IsSet(lookup, "info")) return HostMode.Info;
        if (lookup.Contains("completion")) return HostMode.Completion;
        if (IsSet(lookup, "tree")) return HostMode.Tree;
        if (IsSet(lookup, "description")) return HostMode.Description;
        return IsSet(lookup, "dryrun") ? HostMode.DryRun : HostMode.Run;
    }

    public static Verbosity ParseVerbosity(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "n" or "normal" => Verbosity.Normal,
        "q" or "quiet" => Verbosity.Quiet,
        "m" or "minimal" => Verbosity.Minimal,
        "v" or "verbose" => Verbosity.Verbose,
        "d" or "diag" or "diagnostic" => Verbosity.Diagnostic,
        _ => throw new BuildInputException(
            $"Unknown verbosity '{value}'. Valid values: quiet, minimal, normal, verbose, diagnostic."),
    };
}
