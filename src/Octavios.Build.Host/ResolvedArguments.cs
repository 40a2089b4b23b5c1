using Cake.Core.Configuration;

namespace Octavios.Build.Host;

/// <summary>The build's arguments with their sources merged: command line, then environment variable, then cake.config, then default.</summary>
public static class ResolvedArguments
{
    public static ILookup<string, string> Resolve(
        ILookup<string, string> commandLine,
        IReadOnlyList<ArgumentDefinition> definitions,
        Func<string, string?> environment,
        ICakeConfiguration configuration)
    {
        var known = definitions.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var given in commandLine)
        {
            if (!known.ContainsKey(given.Key))
            {
                throw new BuildInputException($"Unknown argument '--{given.Key}'.{Suggest(given.Key, known.Keys)} See --help for every argument.");
            }
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var definition in definitions)
        {
            var values = commandLine[definition.Name].ToList();
            if (values.Count == 0)
            {
                var fallback = NonEmpty(environment(definition.EnvironmentVariable))
                    ?? NonEmpty(configuration.GetValue(definition.ConfigurationKey))
                    ?? definition.DefaultValue;
                if (fallback is not null) values.Add(fallback);
            }

            pairs.AddRange(values.Select(v => new KeyValuePair<string, string>(definition.Name, v)));
        }

        return pairs.ToLookup(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Suggest(string given, IEnumerable<string> names) =>
        NearestName.Of(given, names) is { Count: > 0 } close ? $" Did you mean {string.Join(" or ", close.Select(n => "--" + n))}?" : "";
}
