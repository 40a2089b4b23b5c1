using System.Globalization;
using System.Text.RegularExpressions;

namespace Octavios.Deploy.Remote;

/// <summary>What ~/.ssh/config says of one host: the keys the suite honours, first value wins as in OpenSSH.</summary>
public sealed record SshHostConfig(
    string? HostName,
    string? User,
    int? Port,
    IReadOnlyList<string> IdentityFiles,
    bool IdentitiesOnly,
    string? UserKnownHostsFile,
    string? ProxyJump,
    int? ServerAliveInterval,
    int? ConnectTimeout)
{
    public static readonly SshHostConfig None = new(null, null, null, [], false, null, null, null, null);
}

/// <summary>
/// Reads an OpenSSH client configuration: the Host blocks whose patterns match (*, ?, !negation), in file order,
/// first obtained value of each keyword winning (IdentityFile accumulating). Unknown keywords, Match and Include are
/// ignored. Written by hand: SSH.NET has no config reader, and no .NET library on NuGet here reads OpenSSH's.
/// </summary>
public static partial class SshConfig
{
    public static SshHostConfig For(string host, string? path, string home)
    {
        if (path is null || !File.Exists(path)) return SshHostConfig.None;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var identities = new List<string>();
        var applies = true;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = Keyword().Match(line);
            if (!match.Success) continue;
            var (keyword, argument) = (match.Groups[1].Value.ToLowerInvariant(), match.Groups[2].Value.Trim().Trim('"'));
            if (keyword == "host")
            {
                applies = Matches(host, argument.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
                continue;
            }

            if (keyword == "match")
            {
                applies = false;
                continue;
            }

            if (!applies) continue;
            if (keyword == "identityfile") identities.Add(Expand(argument, home));
            else values.TryAdd(keyword, argument);
        }

        int? Number(string key) => values.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        string? Text(string key) => values.TryGetValue(key, out var v) && !v.Equals("none", StringComparison.OrdinalIgnoreCase) ? v : null;
        return new SshHostConfig(Text("hostname"), Text("user"), Number("port"), identities,
            Text("identitiesonly")?.Equals("yes", StringComparison.OrdinalIgnoreCase) ?? false,
            Text("userknownhostsfile") is { } known ? Expand(known.Split(' ')[0], home) : null,
            Text("proxyjump"), Number("serveraliveinterval"), Number("connecttimeout"));
    }

    /// <summary>OpenSSH's pattern list: a negated match excludes the host whatever else matches.</summary>
    public static bool Matches(string host, IEnumerable<string> patterns)
    {
        var matched = false;
        foreach (var pattern in patterns)
        {
            var negated = pattern.StartsWith('!');
            var regex = "^" + Regex.Escape(pattern.TrimStart('!')).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            if (!Regex.IsMatch(host, regex, RegexOptions.IgnoreCase)) continue;
            if (negated) return false;
            matched = true;
        }

        return matched;
    }

    private static string Expand(string path, string home) => path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path;

    [GeneratedRegex(@"^(\w+)\s*(?:=\s*|\s+)(.*)$")]
    private static partial Regex Keyword();
}
