using Octavios.Deploy.Configuration;
using YamlDotNet.RepresentationModel;

namespace Octavios.Deploy.Compose;

/// <summary>
/// A service's build settings taken from its compose <c>build:</c> section (in <c>compose.buildFiles</c>, then the deploy
/// files) when the configuration names none: context, dockerfile and args, paths made relative to the configuration's
/// folder as Compose resolves them against the compose file's own.
/// </summary>
public static class ComposeBuildSettings
{
    public static void Fill(SuiteConfig config)
    {
        foreach (var (name, service) in config.Services)
        {
            if (service.Image.Length == 0) service.Image = name;
            if (service.Context.Length > 0) continue;
            foreach (var file in config.Compose.BuildFiles.Concat(config.Compose.Files))
            {
                var path = config.ResolvePath(file);
                if (!ConfigLoader.IsInside(config.BaseDirectory, file) || !File.Exists(path)) continue;
                ComposeFile compose;
                try
                {
                    compose = ComposeFile.Parse(file, File.ReadAllText(path));
                }
                catch (ComposeFileException)
                {
                    continue; // Validate reports it (compose.parse).
                }

                var node = compose.Services.FirstOrDefault(s => s.Name == (service.ComposeService.Length > 0 ? service.ComposeService : name)).Node;
                if (node is null || !node.Children.TryGetValue("build", out var build)) continue;
                var folder = Path.GetDirectoryName(path)!;
                string Relative(string p) => Path.GetRelativePath(config.BaseDirectory, Path.GetFullPath(Path.Combine(folder, p)));
                switch (build)
                {
                    case YamlScalarNode context:
                        service.Context = Relative(context.Value ?? ".");
                        break;
                    case YamlMappingNode settings:
                        var contextPath = settings.Children.TryGetValue("context", out var c) ? c.ToString() : ".";
                        service.Context = Relative(contextPath);
                        if (settings.Children.TryGetValue("dockerfile", out var dockerfile))
                            service.Dockerfile = Relative(Path.Combine(contextPath, dockerfile.ToString()));
                        if (settings.Children.TryGetValue("args", out var args))
                            foreach (var (key, value) in Args(args)) service.BuildArgs.TryAdd(key, value);
                        break;
                }

                break;
            }
        }
    }

    private static IEnumerable<(string Key, string Value)> Args(YamlNode args) => args switch
    {
        YamlMappingNode mapping => mapping.Children.Select(a => (a.Key.ToString(), (a.Value as YamlScalarNode)?.Value ?? "")),
        YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Select(a => (a.Value ?? "").Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")),
        _ => [],
    };
}
