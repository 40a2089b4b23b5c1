using Octavios.Deploy.Compose;
using YamlDotNet.RepresentationModel;

namespace Octavios.Deploy.Deployment;

/// <summary>Compose's depends_on as waves: every service comes after what it depends on (list or mapping form, across overlays).</summary>
public static class DependencyOrder
{
    public static IReadOnlyList<IReadOnlyList<string>> Waves(IReadOnlyList<ComposeFile> files, IReadOnlyList<string> services)
    {
        var dependsOn = services.ToDictionary(s => s, s => DependenciesOf(files, s).Where(services.Contains).ToHashSet());

        var waves = new List<IReadOnlyList<string>>();
        var placed = new HashSet<string>();
        while (placed.Count < services.Count)
        {
            var wave = services.Where(s => !placed.Contains(s) && dependsOn[s].All(placed.Contains)).ToList();
            if (wave.Count == 0)
                throw new InvalidOperationException($"depends_on has a cycle among {string.Join(", ", services.Where(s => !placed.Contains(s)))}");
            waves.Add(wave);
            placed.UnionWith(wave);
        }

        return waves;
    }

    /// <summary>The services <paramref name="service"/> depends on, in every file that names it.</summary>
    public static IReadOnlyList<string> DependenciesOf(IReadOnlyList<ComposeFile> files, string service) =>
        files.SelectMany(file => file.Services.Where(s => s.Name == service))
            .SelectMany(s => s.Node.Children.TryGetValue("depends_on", out var value) ? value switch
            {
                YamlSequenceNode list => list.Children.Select(c => c.ToString()),
                YamlMappingNode map => map.Children.Keys.Select(k => k.ToString()),
                _ => [],
            } : [])
            .Distinct().ToList();
}
