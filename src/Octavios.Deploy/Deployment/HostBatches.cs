using System.Globalization;

namespace Octavios.Deploy.Deployment;

/// <summary>A fleet's hosts in the batches a rollout updates them in: a count of hosts at a time, or a percentage of the fleet.</summary>
public static class HostBatches
{
    /// <summary>"3" → 3 hosts; "25%" → a quarter of the fleet (at least one host); null when neither.</summary>
    public static Func<int, int>? ParseSize(string text)
    {
        var percent = text.EndsWith('%');
        if (!int.TryParse(percent ? text[..^1] : text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return null;
        if (percent) return value is >= 1 and <= 100 ? hosts => Math.Max(1, hosts * value / 100) : null;
        return value is >= 1 and <= 1000 ? _ => value : null;
    }

    /// <summary>The index of each host's batch, in the order the hosts are given.</summary>
    public static IReadOnlyList<int> Of(int hosts, string size)
    {
        var perBatch = (ParseSize(size) ?? throw new DeployInputException($"batchSize '{size}' is neither a count nor a percentage."))(hosts);
        return Enumerable.Range(0, hosts).Select(i => i / perBatch).ToList();
    }
}
