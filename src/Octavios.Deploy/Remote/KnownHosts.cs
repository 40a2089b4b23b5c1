using System.Security.Cryptography;
using System.Text;

namespace Octavios.Deploy.Remote;

public enum HostKeyVerdict
{
    Known,

    /// <summary>No key of any type is known for the host: the only case --trust-new-host may record (OpenSSH's accept-new).</summary>
    Unknown,

    /// <summary>Another key of the same type is known: the host changed, or someone is in the middle.</summary>
    Changed,

    /// <summary>Keys of other types are known for the host, not this one: never trusted automatically.</summary>
    KnownOtherType,

    /// <summary>The key is marked @revoked.</summary>
    Revoked,
}

/// <summary>
/// OpenSSH's known_hosts: plain and hashed (<c>|1|salt|hash</c>) host patterns, <c>[host]:port</c> for other ports.
/// Written by hand: SSH.NET leaves host key checking to the caller.
/// </summary>
public sealed class KnownHosts(IReadOnlyList<(string Hosts, string KeyType, string Key)> entries, IReadOnlySet<string> revoked)
{
    public static KnownHosts Load(string path) => File.Exists(path) ? Parse(File.ReadAllLines(path)) : new KnownHosts([], new HashSet<string>());

    /// <summary>Host lines, and @revoked keys (whatever hosts they name); @cert-authority lines are not supported and skipped.</summary>
    public static KnownHosts Parse(IEnumerable<string> lines)
    {
        var fields = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var revoked = fields.Where(p => p[0] == "@revoked" && p.Length >= 4).Select(p => p[3]).ToHashSet(StringComparer.Ordinal);
        var entries = fields.Where(p => !p[0].StartsWith('@') && p.Length >= 3).Select(p => (p[0], p[1], p[2])).ToList();
        return new KnownHosts(entries, revoked);
    }

    public static string HostPattern(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    public HostKeyVerdict Verify(string host, int port, string keyType, byte[] key)
    {
        var pattern = HostPattern(host, port);
        var base64 = Convert.ToBase64String(key);
        if (revoked.Contains(base64)) return HostKeyVerdict.Revoked;
        var forHost = entries.Where(e => Matches(e.Hosts, pattern)).ToList();
        if (forHost.Any(e => e.KeyType == keyType && e.Key == base64)) return HostKeyVerdict.Known;
        if (forHost.Any(e => e.KeyType == keyType)) return HostKeyVerdict.Changed;
        return forHost.Count > 0 ? HostKeyVerdict.KnownOtherType : HostKeyVerdict.Unknown;
    }

    /// <summary>The line that trusts this key, as ssh-keyscan would print it.</summary>
    public static string Line(string host, int port, string keyType, byte[] key) =>
        $"{HostPattern(host, port)} {keyType} {Convert.ToBase64String(key)}";

    private static bool Matches(string hosts, string pattern)
    {
        if (hosts.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = hosts.Split('|');
            if (parts.Length != 4) return false;
            using var hmac = new HMACSHA1(Convert.FromBase64String(parts[2]));
            return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(pattern))) == parts[3];
        }

        return hosts.Split(',').Any(h => string.Equals(h, pattern, StringComparison.OrdinalIgnoreCase));
    }
}
