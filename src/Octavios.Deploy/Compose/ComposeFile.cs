using Octavios.Deploy.EnvFiles;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Octavios.Deploy.Compose;

/// <summary>A value found in a compose file, with where it stands (file:line).</summary>
public sealed record ComposeValue(string File, int Line, string Service, string Key, string Value)
{
    public string Where => $"{File}:{Line}";
}

/// <summary>One compose file as written (before interpolation), for linting and merging.</summary>
public sealed class ComposeFile
{
    private ComposeFile(string name, YamlMappingNode root)
    {
        Name = name;
        Root = root;
    }

    /// <summary>The path as configured, relative to the project directory.</summary>
    public string Name { get; }

    public YamlMappingNode Root { get; }

    public static ComposeFile Parse(string name, string yaml)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            var root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new ComposeFileException($"{name}: the top level is not a mapping");
            return new ComposeFile(name, root);
        }
        catch (YamlException error)
        {
            throw new ComposeFileException($"{name}:{error.Start.Line}:{error.Start.Column}: {(error.InnerException ?? error).Message.Split('\n')[0]}");
        }
        catch (InvalidOperationException)
        {
            throw new ComposeFileException($"{name}: YAML syntax error (an unclosed bracket or quote?)");
        }
    }

    public IEnumerable<(string Name, YamlMappingNode Node)> Services =>
        Root.Children.TryGetValue("services", out var services) && services is YamlMappingNode mapping
            ? mapping.Children.Where(c => c.Value is YamlMappingNode).Select(c => (c.Key.ToString(), (YamlMappingNode)c.Value))
            : [];

    /// <summary>A scalar key of a service: image, container_name, ...</summary>
    public IEnumerable<ComposeValue> Scalars(string key) =>
        from service in Services
        where service.Node.Children.TryGetValue(key, out var value) && value is YamlScalarNode
        let scalar = (YamlScalarNode)service.Node.Children[key]
        select new ComposeValue(Name, (int)scalar.Start.Line, service.Name, key, scalar.Value ?? "");

    /// <summary>
    /// The image Compose will run for a service: the last file's image:, interpolated as Compose would; null when none
    /// is written or it cannot be interpolated. Variables the lookup does not know are added to <paramref name="missing"/>.
    /// </summary>
    public static string? ImageOf(IReadOnlyList<ComposeFile> files, string composeService, Func<string, string?> lookup, ICollection<string>? missing = null)
    {
        var written = files.SelectMany(f => f.Scalars("image")).LastOrDefault(v => v.Service == composeService)?.Value;
        if (written is null) return null;
        try
        {
            return Interpolation.Substitute(written, lookup, missing);
        }
        catch (InterpolationException)
        {
            return null;
        }
    }

    public IEnumerable<(string Service, YamlNode Key)> ServicesWith(string key) =>
        Services.SelectMany(s => s.Node.Children.Keys.Where(k => k.ToString() == key).Select(k => (s.Name, k)));

    /// <summary>Every entry of every service's environment:, in mapping form (K: V) or list form (- K=V).</summary>
    public IEnumerable<ComposeValue> Environment()
    {
        foreach (var (service, node) in Services)
        {
            if (!node.Children.TryGetValue("environment", out var environment)) continue;
            switch (environment)
            {
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children)
                        yield return new ComposeValue(Name, (int)key.Start.Line, service, key.ToString(), (value as YamlScalarNode)?.Value ?? "");
                    break;
                case YamlSequenceNode sequence:
                    foreach (var item in sequence.Children.OfType<YamlScalarNode>())
                    {
                        var text = item.Value ?? "";
                        var equals = text.IndexOf('=');
                        yield return new ComposeValue(Name, (int)item.Start.Line, service, equals < 0 ? text : text[..equals], equals < 0 ? "" : text[(equals + 1)..]);
                    }

                    break;
            }
        }
    }

    /// <summary>The profiles a service is under (profiles:), none when it runs in every one.</summary>
    public IReadOnlyList<string> ProfilesOf(string service) =>
        Services.Where(s => s.Name == service).Select(s => s.Node.Children.TryGetValue("profiles", out var profiles) ? profiles : null)
            .OfType<YamlSequenceNode>().SelectMany(p => p.Children.OfType<YamlScalarNode>().Select(v => v.Value ?? "")).ToList();

    /// <summary>
    /// Which services read which variable: each reference (${NAME}, $NAME) in a service's definition; a service with an
    /// env_file: reads them all (Variable null).
    /// </summary>
    public IEnumerable<(string Service, string? Variable)> VariableReaders()
    {
        foreach (var (service, node) in Services)
        {
            if (node.Children.ContainsKey("env_file")) yield return (service, null);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, text) in Walk(node).Where(s => s.Text.Contains('$')))
            {
                try
                {
                    Interpolation.Substitute(text, name =>
                    {
                        names.Add(name);
                        return "x";
                    });
                }
                catch (InterpolationException)
                {
                }
            }

            foreach (var name in names) yield return (service, name);
        }
    }

    /// <summary>Every scalar in the file, for finding variable references.</summary>
    public IEnumerable<(int Line, string Text)> AllScalars() => Walk(Root);

    private static IEnumerable<(int Line, string Text)> Walk(YamlNode node) => node switch
    {
        YamlScalarNode scalar => [((int)scalar.Start.Line, scalar.Value ?? "")],
        YamlMappingNode mapping => mapping.Children.SelectMany(c => Walk(c.Value)),
        YamlSequenceNode sequence => sequence.Children.SelectMany(Walk),
        _ => [],
    };
}

public sealed class ComposeFileException(string message) : Exception(message);
