using System.Text.RegularExpressions;

namespace Octavios.Deploy.Remote;

/// <summary>
/// A server as written in DEPLOY_SERVER: <c>user@host:port</c>, where user and port may be left to ~/.ssh/config (an
/// empty user, port 0) and host may be a config alias. <see cref="SshEndpoint"/> resolves what is left.
/// </summary>
public sealed partial record ServerAddress(string User, string Host, int Port)
{
    public static ServerAddress Parse(string text, string variable = "DEPLOY_SERVER")
    {
        var match = Pattern().Match(text);
        if (!match.Success)
            throw new DeployInputException($"{variable}='{Output.PrintableText.Inline(text)}' is not [user@]host[:port] (host may be an alias of ~/.ssh/config).");
        var port = match.Groups["port"].Success ? int.Parse(match.Groups["port"].Value) : 0;
        if (match.Groups["port"].Success && port is < 1 or > 65535) throw new DeployInputException($"{variable}='{text}': port {port} is out of range.");
        return new ServerAddress(match.Groups["user"].Value, match.Groups["host"].Value.Trim('[', ']'), port);
    }

    public static bool IsValid(string text) => Pattern().Match(text) is { Success: true } match &&
        (!match.Groups["port"].Success || int.Parse(match.Groups["port"].Value) is >= 1 and <= 65535);

    /// <summary>One server, or a fleet: several addresses separated by commas or spaces; each must be given once.</summary>
    public static IReadOnlyList<ServerAddress> ParseList(string text, string variable = "DEPLOY_SERVER")
    {
        var addresses = text.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => Parse(a, variable)).ToList();
        if (addresses.Count == 0) throw new DeployInputException($"{variable} names no server.");
        if (addresses.GroupBy(a => a.ToString()).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new DeployInputException($"{variable} names {twice.Key} more than once.");
        return addresses;
    }

    public override string ToString() => (User.Length > 0 ? $"{User}@" : "") + (Host.Contains(':') ? $"[{Host}]" : Host) + (Port is 0 or 22 ? "" : $":{Port}");

    [GeneratedRegex(@"^(?:(?<user>[A-Za-z0-9._][A-Za-z0-9._-]*)@)?(?<host>[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::(?<port>\d{1,5}))?\z")]
    private static partial Regex Pattern();
}
