using Octavios.Deploy.Compose;
using YamlDotNet.RepresentationModel;

namespace Octavios.Deploy.Deployment;

/// <summary>Compose's depends_on as waves: every service comes after what it depends on (list or mapping form, across overlays).</summary>
public static class DependencyOrder
{
    public static IReadOnlyList<IReadOnlyList<string>> Waves(IReadOnlyList<ComposeFile> files, IReadOnlyList<string> services)
    {
        var dependsOn = services.ToDictionary(s => s, _ => new HashSet<string>());
        foreach (var file in files)
        {
            foreach (var (name, node) in file.Services)
            {
                if (!dependsOn.TryGetValue(name, out var set) || !node.Children.TryGetValue("depends_on", out var value)) continue;
                var names = value switch
                {
                    YamlSequenceNode list => list.Children.Select(c => c.ToString()),
                    YamlMappingNode map => map.Children.Keys.Select(k => k.ToString()),
                    _ => [],
                };
                set.UnionWith(names.Where(dependsOn.ContainsKey));
            }
        }

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
}
