using System.Text;
using YamlDotNet.RepresentationModel;

namespace Octavios.Deploy.Compose;

/// <summary>
/// The overlay the suite adds to a stack's compose files: for every service whose files give no update_config (or
/// no rollback_config), Swarm's rolling update the suite wants — one task at a time, the new one started first,
/// watched for <c>monitor</c> after it runs, rolled back by Swarm when it fails.
/// </summary>
public static class SwarmDefaults
{
    public const string File = ".octavios/swarm-defaults.yml";

    /// <summary>Null when every service sets both already.</summary>
    public static string? Overlay(IReadOnlyList<ComposeFile> files, int monitorSeconds)
    {
        bool Has(string service, string key) => files.Any(f => f.Services.Any(s => s.Name == service &&
            s.Node.Children.TryGetValue("deploy", out var deploy) && deploy is YamlMappingNode d && d.Children.ContainsKey(key)));

        var any = false;
        var text = new StringBuilder("# written by Octavios.Build: rolling-update defaults for services whose compose files set none\nversion: \"3.8\"\nservices:\n");
        foreach (var service in files.SelectMany(f => f.Services.Select(s => s.Name)).Distinct())
        {
            var update = !Has(service, "update_config");
            var rollback = !Has(service, "rollback_config");
            if (!update && !rollback) continue;
            any = true;
            text.Append($"  {service}:\n    deploy:\n");
            if (update)
                text.Append($"      update_config: {{parallelism: 1, order: start-first, failure_action: rollback, monitor: {monitorSeconds}s}}\n");
            if (rollback) text.Append($"      rollback_config: {{parallelism: 1, order: start-first, monitor: {monitorSeconds}s}}\n");
        }

        return any ? text.ToString() : null;
    }
}
