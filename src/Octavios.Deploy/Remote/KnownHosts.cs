using System.Security.Cryptography;
using System.Text;

namespace Octavios.Deploy.Remote;

public enum HostKeyVerdict
{
    Known,
    Unknown,
    Changed,
}

/// <summary>
/// OpenSSH's known_hosts: plain and hashed (<c>|1|salt|hash</c>) host patterns, <c>[host]:port</c> for other ports.
/// Written by hand: SSH.NET leaves host key checking to the caller.
/// </summary>
public sealed class KnownHosts(IReadOnlyList<(string Hosts, string KeyType, string Key)> entries)
{
    public static KnownHosts Load(string path)
    {
        if (!File.Exists(path)) return new KnownHosts([]);
        var entries = File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('@'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 3)
            .Select(p => (p[0], p[1], p[2]))
            .ToList();
        return new KnownHosts(entries);
    }

    public static string HostPattern(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    public HostKeyVerdict Verify(string host, int port, string keyType, byte[] key)
    {
        var pattern = HostPattern(host, port);
        var base64 = Convert.ToBase64String(key);
        var forHost = entries.Where(e => Matches(e.Hosts, pattern)).ToList();
        if (forHost.Any(e => e.KeyType == keyType && e.Key == base64)) return HostKeyVerdict.Known;
        return forHost.Any(e => e.KeyType == keyType) ? HostKeyVerdict.Changed : HostKeyVerdict.Unknown;
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
