namespace Octavios.Deploy.Configuration;

/// <summary>
/// A service a run works on, with its settings: the plan's unit. Built here, the one place a service is looked up by
/// name; every step after receives the record.
/// </summary>
public sealed record SelectedService(string Name, ServiceConfig Settings)
{
    public string ComposeService => Settings.ComposeService;

    public string VersionVariable => Settings.VersionVariable;

    public HealthConfig? Health => Settings.Health;

    public override string ToString() => Name;

    /// <summary>The named services in the configuration's order; a name it no longer has (in an earlier run's journal) is left out.</summary>
    public static IReadOnlyList<SelectedService> Of(SuiteConfig config, IEnumerable<string> names)
    {
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        return config.Services.Where(s => wanted.Contains(s.Key)).Select(s => new SelectedService(s.Key, s.Value)).ToList();
    }
}
