namespace Octavios.Deploy.Remote;

/// <summary>How to reach a server: key file, known_hosts, timeouts, and whether a new host key may be trusted.</summary>
public sealed record SshSettings(string? KeyFile, string KnownHostsFile, TimeSpan ConnectTimeout, bool TrustNewHost)
{
    /// <summary>DEPLOY_SSH_KEY and DEPLOY_KNOWN_HOSTS, else the user's ~/.ssh defaults.</summary>
    public static SshSettings FromEnvironment(Func<string, string?> variables, bool trustNewHost)
    {
        var home = variables("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var ssh = Path.Combine(home, ".ssh");
        var key = variables("DEPLOY_SSH_KEY") is { Length: > 0 } given
            ? given
            : new[] { "id_ed25519", "id_ecdsa", "id_rsa" }.Select(k => Path.Combine(ssh, k)).FirstOrDefault(File.Exists);
        var knownHosts = variables("DEPLOY_KNOWN_HOSTS") is { Length: > 0 } hosts ? hosts : Path.Combine(ssh, "known_hosts");
        // A server must answer within 5 s; giving up at 4.5 s leaves Validate room to report and exit within 6 s.
        return new SshSettings(key, knownHosts, TimeSpan.FromSeconds(4.5), trustNewHost);
    }
}
