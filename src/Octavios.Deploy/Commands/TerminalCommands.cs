using Octavios.Deploy.Remote;

namespace Octavios.Deploy.Commands;

/// <summary>
/// A command run on a server with this machine's terminal attached. OpenSSH's own client does it (SSH.NET would need
/// this terminal's raw mode and window size handled by hand), with the run's key, known_hosts, config and bastion.
/// </summary>
public static class TerminalCommands
{
    public static Command OverSsh(ServerAddress address, SshSettings settings, string directory, Command remote)
    {
        var endpoint = SshEndpoint.Resolve(address, settings);
        var args = new List<CommandArg> { "-t", "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={endpoint.KnownHostsFile}", "-o", "LogLevel=ERROR" };
        if (settings.ConfigFile is { } config && File.Exists(config)) args.AddRange(["-F", config]);
        if (settings.KeyFile is { } key) args.AddRange(["-i", key, "-o", "IdentitiesOnly=yes"]);
        if (settings.Jump is { } jump) args.AddRange(["-J", jump]);
        if (address.Port != 0) args.AddRange(["-p", address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.Add(address.User.Length > 0 ? $"{address.User}@{address.Host}" : address.Host);
        args.AddRange(["--", $"cd {ShellQuote.Quote(directory)} && {remote.ToShellLine()}"]);
        return new Command("ssh", args) { Title = $"{remote.Title} on {address}" };
    }
}
