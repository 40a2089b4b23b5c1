namespace Octavios.Deploy.Remote;

/// <summary>
/// How to reach a server, from the environment: DEPLOY_SSH_KEY (+ DEPLOY_SSH_KEY_PASSPHRASE), SSH_AUTH_SOCK,
/// DEPLOY_SSH_CONFIG (else ~/.ssh/config), DEPLOY_KNOWN_HOSTS, DEPLOY_SSH_JUMP; whether a new host key may be trusted.
/// </summary>
public sealed record SshSettings(
    string? KeyFile,
    string? KnownHostsFile,
    TimeSpan ConnectTimeout,
    bool TrustNewHost,
    string? Passphrase = null,
    string? AgentSocket = null,
    string? ConfigFile = null,
    string? Jump = null,
    string Home = "")
{
    /// <summary>A server must answer within 5 s; giving up at 4.5 s leaves Validate room to report and exit within 6 s.</summary>
    public static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromSeconds(4.5);

    public static SshSettings FromEnvironment(Func<string, string?> variables, bool trustNewHost)
    {
        var home = variables("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? Given(string name) => variables(name) is { Length: > 0 } value ? value : null;
        return new SshSettings(Given("DEPLOY_SSH_KEY"), Given("DEPLOY_KNOWN_HOSTS"), MaxConnectTimeout, trustNewHost,
            Given("DEPLOY_SSH_KEY_PASSPHRASE"), Given("SSH_AUTH_SOCK"), Given("DEPLOY_SSH_CONFIG") ?? Path.Combine(home, ".ssh", "config"),
            Given("DEPLOY_SSH_JUMP"), home);
    }

    public string DefaultKnownHosts => Path.Combine(Home, ".ssh", "known_hosts");

    /// <summary>The key files OpenSSH tries when none is named.</summary>
    public IEnumerable<string> DefaultKeyFiles => new[] { "id_ed25519", "id_ecdsa", "id_rsa" }.Select(k => Path.Combine(Home, ".ssh", k)).Where(File.Exists);
}

/// <summary>Where a connection really goes once ~/.ssh/config has filled in what DEPLOY_SERVER left out.</summary>
public sealed record SshEndpoint(ServerAddress Address, SshHostConfig Config, string KnownHostsFile, TimeSpan ConnectTimeout, TimeSpan KeepAlive)
{
    /// <summary>
    /// User: DEPLOY_SERVER's, else the config's User, else the local user. Host: the config's HostName, else as written.
    /// Port: DEPLOY_SERVER's, else the config's, else 22. known_hosts: DEPLOY_KNOWN_HOSTS, else the config's
    /// UserKnownHostsFile, else ~/.ssh/known_hosts. Connect timeout: the config's ConnectTimeout, never above 4.5 s.
    /// </summary>
    public static SshEndpoint Resolve(ServerAddress written, SshSettings settings)
    {
        var config = SshConfig.For(written.Host, settings.ConfigFile, settings.Home);
        var address = new ServerAddress(
            written.User.Length > 0 ? written.User : config.User ?? Environment.UserName,
            config.HostName ?? written.Host,
            written.Port != 0 ? written.Port : config.Port ?? 22);
        var timeout = config.ConnectTimeout is { } seconds && TimeSpan.FromSeconds(seconds) < settings.ConnectTimeout ? TimeSpan.FromSeconds(seconds) : settings.ConnectTimeout;
        return new SshEndpoint(address, config, settings.KnownHostsFile ?? config.UserKnownHostsFile ?? settings.DefaultKnownHosts, timeout,
            TimeSpan.FromSeconds(config.ServerAliveInterval ?? 15));
    }
}
