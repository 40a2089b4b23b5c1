using System.Text.RegularExpressions;

namespace Octavios.Deploy.Remote;

/// <summary>A deploy server as written in DEPLOY_SERVER: <c>user@host</c> or <c>user@host:port</c>.</summary>
public sealed partial record ServerAddress(string User, string Host, int Port)
{
    public static ServerAddress Parse(string text, string variable = "DEPLOY_SERVER")
    {
        var match = Pattern().Match(text);
        if (!match.Success)
            throw new DeployInputException($"{variable}='{text}' is not user@host or user@host:port.");
        var port = match.Groups["port"].Success ? int.Parse(match.Groups["port"].Value) : 22;
        if (port is < 1 or > 65535) throw new DeployInputException($"{variable}='{text}': port {port} is out of range.");
        return new ServerAddress(match.Groups["user"].Value, match.Groups["host"].Value.Trim('[', ']'), port);
    }

    public override string ToString() => Port == 22 ? $"{User}@{Host}" : $"{User}@{Host}:{Port}";

    [GeneratedRegex(@"^(?<user>[A-Za-z0-9._][A-Za-z0-9._-]*)@(?<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?<port>\d{1,5}))?$")]
    private static partial Regex Pattern();
}
