using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>swarm.*: the target is a Swarm manager, and every node is ready and takes tasks (a drained or down node is named).</summary>
public static class SwarmChecks
{
    public static async Task<IReadOnlyList<Finding>> RunAsync(ICommandRunner manager, CancellationToken cancellation = default)
    {
        var nodes = await manager.TryRunAsync(SwarmCommands.Nodes(), cancellation);
        if (!nodes.Succeeded)
            return [Finding.Error("swarm.manager", $"[{manager.Target}] is not a Swarm manager: {nodes.StandardError.Trim().Split('\n')[0]}")];
        return Evaluate(manager.Target, nodes.StandardOutput);
    }

    /// <summary>Reads <see cref="SwarmCommands.Nodes"/>' lines: hostname | status | availability | manager status.</summary>
    public static IReadOnlyList<Finding> Evaluate(string manager, string nodes)
    {
        var rows = nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split('|')).Where(f => f.Length >= 3).ToList();
        var findings = new List<Finding> { Finding.Info("swarm.manager", $"[{manager}] manages a Swarm of {rows.Count} node(s)") };
        foreach (var row in rows.Where(r => r[1] != "Ready"))
            findings.Add(Finding.Error("swarm.nodes", $"node {row[0]} is {row[1]}: its tasks are rescheduled, and a rolling update may stall"));
        foreach (var row in rows.Where(r => r[1] == "Ready" && r[2] != "Active"))
            findings.Add(Finding.Warning("swarm.nodes", $"node {row[0]} is {row[2]}: it takes no new tasks"));
        if (rows.Count > 0 && rows.All(r => r[1] != "Ready" || r[2] != "Active"))
            findings.Add(Finding.Error("swarm.nodes", "no node is ready and active: nothing can run"));
        return findings;
    }
}
