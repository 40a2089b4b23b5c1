using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Octavios.Deploy.Compose;

/// <summary>
/// What decides how a service can be replaced, read from the compose files (a later file overrides an earlier one):
/// a host port or a container name cannot be held by two containers at once; replicas roll one batch at a time; the
/// stop grace period bounds how long an old container drains.
/// </summary>
public sealed partial record ServiceShape(string Service, ComposeValue? FixedPort, ComposeValue? ContainerName, int Replicas, int StopGraceSeconds)
{
    /// <summary>Why the service cannot run a second container beside the first, or null when it can.</summary>
    public ComposeValue? Obstacle => FixedPort ?? ContainerName;

    public static ServiceShape Of(IReadOnlyList<ComposeFile> files, string service)
    {
        ComposeValue? port = null, name = null;
        int? replicas = null, grace = null;
        foreach (var file in files)
        {
            var node = file.Services.FirstOrDefault(s => s.Name == service).Node;
            if (node is null) continue;
            if (node.Children.TryGetValue("ports", out var ports) && ports is YamlSequenceNode sequence)
            {
                port = sequence.Children.Select(p => Published(file.Name, service, p)).FirstOrDefault(p => p is not null);
            }

            if (node.Children.TryGetValue("container_name", out var container) && container is YamlScalarNode scalar)
                name = new ComposeValue(file.Name, (int)scalar.Start.Line, service, "container_name", scalar.Value ?? "");
            if (Number(node, "scale") is { } scale) replicas = scale;
            if (node.Children.TryGetValue("deploy", out var deploy) && deploy is YamlMappingNode deployNode && Number(deployNode, "replicas") is { } count)
                replicas = count;
            if (node.Children.TryGetValue("stop_grace_period", out var period) && period is YamlScalarNode periodScalar && Seconds(periodScalar.Value) is { } seconds)
                grace = seconds;
        }

        return new ServiceShape(service, port, name, Math.Max(1, replicas ?? 1), grace ?? 10);
    }

    /// <summary>A ports: entry that publishes on the host ("8001:8000", "127.0.0.1:8001:8000", or published: in the long form).</summary>
    private static ComposeValue? Published(string file, string service, YamlNode entry) => entry switch
    {
        YamlScalarNode scalar when (scalar.Value ?? "").Contains(':') =>
            new ComposeValue(file, (int)scalar.Start.Line, service, "ports", scalar.Value!),
        YamlMappingNode mapping when mapping.Children.ContainsKey("published") =>
            new ComposeValue(file, (int)mapping.Start.Line, service, "ports", mapping.Children["published"].ToString()),
        _ => null,
    };

    private static int? Number(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar
        && int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Compose durations: "10s", "1m30s", "500ms", or a bare number of seconds.</summary>
    public static int? Seconds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bare)) return bare;
        var parts = Duration().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text) return null;
        var total = parts.Sum(p => double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture) * p.Groups[2].Value switch
        {
            "h" => 3600, "m" => 60, "s" => 1, "ms" => 0.001, "us" => 0.000001, _ => 0.000000001,
        });
        return (int)Math.Ceiling(total);
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|us|ns|m|s)")]
    private static partial Regex Duration();
}
