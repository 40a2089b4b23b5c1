using System.Text.RegularExpressions;
using Octavios.Deploy.Compose;
using Octavios.Deploy.EnvFiles;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>Rules drawn from the incidents, read off the compose files as written.</summary>
public static partial class ComposeLint
{
    public static IEnumerable<Finding> Run(IReadOnlyList<ComposeFile> files, string registryOverlay, IReadOnlyCollection<string> secrets)
    {
        foreach (var file in files)
        {
            foreach (var entry in file.Environment())
            {
                if (JsonDefault().Match(entry.Value) is { Success: true } json)
                    yield return Finding.Error("lint.json-default",
                        $"{entry.Where}: {entry.Service}.environment.{entry.Key} has a list/JSON default (${{{json.Groups[1].Value}:-{json.Groups[2].Value}...}}); settings parsers crashed on it: put the value in the env file");
                if (SecretNames.IsSecret(entry.Key, secrets) && entry.Value.Length > 0 && !entry.Value.Contains('$'))
                    yield return Finding.Error("lint.literal-secret",
                        $"{entry.Where}: {entry.Service}.environment.{entry.Key} is written into the compose file: use ${{{entry.Key}}} and keep the value in the env file");
            }

            foreach (var image in file.Scalars("image"))
            {
                var tag = TagOf(image.Value);
                if (tag == "latest" || image.Value.Contains(":-latest}", StringComparison.Ordinal))
                    yield return Finding.Error("lint.latest", $"{image.Where}: {image.Service} pins image '{image.Value}' to latest: deploy an exact version");
                else if (file.Name == registryOverlay && (tag is null || !tag.Contains('$')))
                    yield return Finding.Error("lint.pinned-version",
                        $"{image.Where}: {image.Service}'s image '{image.Value}' has a fixed tag in the registry overlay: use its version variable, e.g. ${{{image.Service.ToUpperInvariant().Replace('-', '_')}_VERSION}}");
            }

            if (file.Name == registryOverlay)
            {
                foreach (var (service, key) in file.ServicesWith("build"))
                    yield return Finding.Error("lint.build-in-registry-overlay",
                        $"{file.Name}:{key.Start.Line}: {service} has build: in the registry overlay; Compose rebuilds despite --no-build: remove it");
            }

            foreach (var (service, key) in file.ServicesWith("env_file"))
            {
                var explicitNames = files.SelectMany(f => f.Environment()).Where(e => e.Service == service).Select(e => e.Key).ToHashSet();
                var missing = secrets.Where(s => !explicitNames.Contains(s)).ToList();
                if (missing.Count > 0)
                    yield return Finding.Warning("lint.secret-env-file-only",
                        $"{file.Name}:{key.Start.Line}: {service} gets {string.Join(", ", missing)} only through env_file:, which a stale file silently keeps: list {(missing.Count > 1 ? "them" : "it")} under environment: as ${{NAME}}");
            }
        }
    }

    /// <summary>The tag of an image reference as written, or null when it has none.</summary>
    private static string? TagOf(string image)
    {
        var colon = image.LastIndexOf(':');
        var slash = image.LastIndexOf('/');
        if (colon <= slash) return null;
        var tag = image[(colon + 1)..];
        // ${VAR:-0.2.2} splits inside the braces: the tag is then the whole variable reference.
        return tag.EndsWith('}') && image.LastIndexOf("${", StringComparison.Ordinal) is var open && open > slash ? image[open..] : tag;
    }

    [GeneratedRegex(@"\$\{(\w+):?-\s*([\[{])")]
    private static partial Regex JsonDefault();
}
