using Octavios.Deploy.Output;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Octavios.Deploy.Remote;

/// <summary>A server could not be reached, or its host key is not the one known_hosts holds.</summary>
public sealed class SshConnectionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Runs commands on one server over a single SSH connection (SSH.NET), opened on first use and kept alive
/// for the whole run; every command starts in the project directory and has its exit code returned.
/// </summary>
public sealed class SshCommandRunner(ServerAddress server, string projectDirectory, SshSettings settings, IDeployLog log, SecretMasker masker)
    : ICommandRunner, IDisposable
{
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private SshConnectionException? _connectFailure;

    /// <summary>Commands running at once on the one connection, each on its own channel: under OpenSSH's MaxSessions (10).</summary>
    private readonly SemaphoreSlim _channels = new(6, 6);
    private SshClient? _client;
    private SshClient? _bastion;
    private string? _bastionKey;
    private ForwardedPortLocal? _forward;

    public string Target => server.ToString();

    public bool IsDryRun => false;

    public string ProjectDirectory => projectDirectory;

    /// <summary>Where this runner's commands keep their process group's id on the server: one pattern covers them all.</summary>
    private readonly string PidFilePrefix = $"/tmp/octavios-{Guid.NewGuid():N}-";

    public async Task<IAsyncDisposable?> SuperviseAsync(Func<string, Command> supervisor, CancellationToken cancellation = default)
    {
        var command = supervisor(PidFilePrefix + "*.pid");
        var client = await ConnectAsync(cancellation);
        log.Verbose($"[{Target}] {command.Display()}");
        var timeout = command.Timeout ?? Command.DefaultTimeout;
        var line = RemoteProcess.Wrap(projectDirectory, command.ToShellLine(), timeout, $"/tmp/octavios-supervisor-{Guid.NewGuid():N}.pid");
        var ssh = client.CreateCommand(line);
        ssh.BeginExecute();
        return new Supervision(ssh, ssh.CreateInputStream(), log, Target);
    }

    /// <summary>A supervisor on the server, told every second that this client lives; disposing it closes its input and the channel.</summary>
    private sealed class Supervision : IAsyncDisposable
    {
        private readonly SshCommand _ssh;
        private readonly Stream _input;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _beats;

        public Supervision(SshCommand ssh, Stream input, IDeployLog log, string target)
        {
            (_ssh, _input) = (ssh, input);
            var alive = System.Text.Encoding.ASCII.GetBytes(LockCommands.Alive + "\n");
            _beats = Task.Run(async () =>
            {
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        await _input.WriteAsync(alive, _stop.Token);
                        await _input.FlushAsync(_stop.Token);
                        await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception error)
                {
                    log.Verbose($"[{target}] the lock's supervisor no longer hears this run: {error.Message}");
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _beats;
            try
            {
                // Its input ends: once the lock is released it ends too; if this run could not release it, it repairs and releases.
                await _input.DisposeAsync();
            }
            catch (Exception error) when (error is SshException or ObjectDisposedException or System.Net.Sockets.SocketException or IOException)
            {
            }
            finally
            {
                _ssh.Dispose();
                _stop.Dispose();
            }
        }
    }

    public async Task<int> StreamAsync(Command command, Action<string> line, CancellationToken cancellation = default)
    {
        var client = await ConnectAsync(cancellation);
        log.Verbose($"[{Target}] {command.Display()}");
        var timeout = command.Timeout ?? Command.DefaultTimeout;
        var pidFile = $"{PidFilePrefix}{Guid.NewGuid():N}.pid";
        using var ssh = client.CreateCommand(RemoteProcess.Wrap(projectDirectory, command.ToShellLine(), timeout, pidFile));
        var running = ssh.BeginExecute();
        var lines = Task.Run(async () =>
        {
            using var reader = new StreamReader(ssh.OutputStream);
            while (await reader.ReadLineAsync(cancellation) is { } each) line(masker.MaskKnown(each));
        }, CancellationToken.None);
        try
        {
            await Task.Factory.FromAsync(running, ssh.EndExecute).WaitAsync(cancellation);
            await lines.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            return ssh.ExitStatus ?? 255;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Closing the channel kills nothing on the server: its process group is stopped by its id.
            using var kill = client.CreateCommand(RemoteProcess.Kill(pidFile).ToShellLine());
            await Task.Factory.FromAsync(kill.BeginExecute(), kill.EndExecute).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            throw;
        }
    }

    public async Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default)
    {
        foreach (var secret in command.Secrets) masker.Add(secret);
        var client = await ConnectAsync(cancellation);
        log.Verbose($"[{Target}] {command.Display()}");
        var timeout = command.Timeout ?? Command.DefaultTimeout;
        var pidFile = $"{PidFilePrefix}{Guid.NewGuid():N}.pid";
        var line = RemoteProcess.Wrap(command.NeedsProjectDirectory ? projectDirectory : "/", command.ToShellLine(), timeout, pidFile);
        // The server kills the command at its timeout; this later deadline covers a server that stopped answering.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout + TimeSpan.FromSeconds(15));
        await _channels.WaitAsync(deadline.Token);
        try
        {
            using var ssh = client.CreateCommand(line);
            var running = ssh.BeginExecute();
            if (command.StandardInput is { } input)
            {
                await using var stdin = ssh.CreateInputStream();
                await stdin.WriteAsync(System.Text.Encoding.UTF8.GetBytes(input.Value), deadline.Token);
            }

            await using (deadline.Token.Register(() => ssh.CancelAsync()))
            {
                await Progress.ReportAsync(Task.Factory.FromAsync(running, ssh.EndExecute), log, Target, command.Title);
            }

            if (deadline.IsCancellationRequested) await StopAsync(client, command, pidFile, timeout, cancellation);
            var exit = ssh.ExitStatus ?? 255;
            if (exit == RemoteProcess.TimedOut) throw new CommandTimedOutException(Target, command, timeout);
            // Sensitive output (an env file) is returned as read: masking known secrets in it would corrupt it.
            return command.SensitiveOutput
                ? new CommandResult(exit, ssh.Result, masker.MaskKnown(ssh.Error))
                : new CommandResult(exit, masker.MaskKnown(ssh.Result), masker.MaskKnown(ssh.Error));
        }
        catch (Exception error) when (deadline.IsCancellationRequested && error is not CommandTimedOutException and not SshConnectionException)
        {
            await StopAsync(client, command, pidFile, timeout, cancellation);
            throw;
        }
        catch (Exception error) when (error is SshException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            throw new SshConnectionException($"[{Target}] the SSH connection was lost during {command.Title ?? command.Program}: {error.Message}", error);
        }
        finally
        {
            _channels.Release();
        }
    }

    /// <summary>A cancelled or overdue command: its process group on the server is killed, then the caller learns why.</summary>
    private async Task StopAsync(SshClient client, Command command, string pidFile, TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            using var kill = client.CreateCommand(RemoteProcess.Kill(pidFile).ToShellLine());
            await Task.Factory.FromAsync(kill.BeginExecute(), kill.EndExecute).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception error) when (error is SshException or System.Net.Sockets.SocketException or ObjectDisposedException or TimeoutException)
        {
            log.Warning($"[{Target}] could not stop {command.Title ?? command.Program} on the server ({error.Message}); it ends by itself within {timeout.TotalSeconds:0}s");
        }

        cancellation.ThrowIfCancellationRequested();
        throw new CommandTimedOutException(Target, command, timeout);
    }

    /// <summary>
    /// Connects (once) within the timeout, checking the host key against known_hosts; through the bastion of
    /// DEPLOY_SSH_JUMP or ProxyJump when there is one (one connection to it for the whole run, shared by every server behind it; one forwarded through it to each server).
    /// </summary>
    public async Task<SshClient> ConnectAsync(CancellationToken cancellation = default)
    {
        await _connectGate.WaitAsync(cancellation);
        try
        {
            if (_client is { IsConnected: true }) return _client;
            if (_client is not null)
                throw new SshConnectionException($"[{Target}] the SSH connection was lost; not reconnecting in the middle of a run.");
            // Commands waiting at once for the connection learn at once that it could not be made: one timeout, not one each.
            if (_connectFailure is not null) throw new SshConnectionException(_connectFailure.Message, _connectFailure);
            return _client = await OpenConnectionAsync(cancellation);
        }
        catch (SshConnectionException failure) when (_client is null)
        {
            _connectFailure ??= failure;
            throw;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Opens the connection: the bastion first when there is one.</summary>
    private async Task<SshClient> OpenConnectionAsync(CancellationToken cancellation)
    {
        var endpoint = SshEndpoint.Resolve(server, settings);
        var (keys, tried) = KeySources(endpoint.Config);
        if (keys.Count == 0)
            throw new SshConnectionException($"[{Target}] no SSH key to offer: {string.Join("; ", tried.DefaultIfEmpty("set DEPLOY_SSH_KEY to a key file authorised there, or start ssh-agent (SSH_AUTH_SOCK)"))}.");

        var host = endpoint.Address.Host;
        var port = endpoint.Address.Port;
        if ((settings.Jump ?? endpoint.Config.ProxyJump) is { } jump)
        {
            var bastion = SshEndpoint.Resolve(ServerAddress.Parse(jump.Split(',')[0], "DEPLOY_SSH_JUMP/ProxyJump"), settings);
            var key = $"{bastion.Address}";
            var shared = await BastionConnections.AcquireAsync(key, () => OpenAsync(bastion, bastion.Address.Host, bastion.Address.Port, keys, tried, cancellation));
            (_bastion, _bastionKey) = (shared, key);
            _forward = BastionConnections.Forward(shared, endpoint.Address.Host, (uint)endpoint.Address.Port);
            (host, port) = ("127.0.0.1", (int)_forward.BoundPort);
            log.Verbose($"[{Target}] through the bastion {bastion.Address}");
        }

        var client = await OpenAsync(endpoint, host, port, keys, tried, cancellation);
        log.Verbose($"[{Target}] connected over SSH");
        return client;
    }

    /// <summary>One SSH connection to host:port, the host key checked as the endpoint's own (a forwarded port is not the server's name).</summary>
    private async Task<SshClient> OpenAsync(SshEndpoint endpoint, string host, int port, IReadOnlyList<IPrivateKeySource> keys, IReadOnlyList<string> tried,
        CancellationToken cancellation)
    {
        var connection = new ConnectionInfo(host, port, endpoint.Address.User, new PrivateKeyAuthenticationMethod(endpoint.Address.User, keys.ToArray()))
        {
            Timeout = endpoint.ConnectTimeout,
        };
        var client = new SshClient(connection) { KeepAliveInterval = endpoint.KeepAlive };
        string? rejection = null;
        client.HostKeyReceived += (_, e) => e.CanTrust = (rejection = CheckHostKey(endpoint, e)) is null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(endpoint.ConnectTimeout);
        try
        {
            await client.ConnectAsync(timeout.Token);
            return client;
        }
        catch (Exception error) when (error is not OperationCanceledException || timeout.IsCancellationRequested)
        {
            client.Dispose();
            var name = $"[{endpoint.Address}]";
            throw new SshConnectionException(rejection ?? error switch
            {
                OperationCanceledException or SshOperationTimeoutException => $"{name} no SSH answer within {endpoint.ConnectTimeout.TotalSeconds:0.#}s.",
                SshAuthenticationException => $"{name} authentication failed for {endpoint.Address.User}; offered: {string.Join("; ", tried)}.",
                _ => $"{name} SSH connection failed: {error.Message}",
            }, error);
        }
    }

    /// <summary>
    /// The keys to offer, in order: the configured key file (DEPLOY_SSH_KEY, else the config's IdentityFile), the
    /// agent's, the default key files (neither of the last two with IdentitiesOnly). What was tried, and why a key
    /// could not be used, is said in one line each if authentication fails.
    /// </summary>
    private (List<IPrivateKeySource> Keys, List<string> Tried) KeySources(SshHostConfig config)
    {
        var keys = new List<IPrivateKeySource>();
        var tried = new List<string>();
        if (settings.Passphrase is { } passphrase) masker.Add(passphrase);
        IReadOnlyList<string> configured = settings.KeyFile is { } file ? [file] : config.IdentityFiles;
        void AddFile(string path)
        {
            if (!File.Exists(path))
            {
                tried.Add($"key file {path}: not found");
                return;
            }

            try
            {
                keys.Add(new PrivateKeyFile(path, settings.Passphrase));
                tried.Add($"key file {path}");
            }
            catch (SshPassPhraseNullOrEmptyException)
            {
                tried.Add($"key file {path}: encrypted, and DEPLOY_SSH_KEY_PASSPHRASE is not set");
            }
            catch (Exception error) when (error is SshException or InvalidOperationException or ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                tried.Add($"key file {path}: {(settings.Passphrase is null ? error.Message : "cannot be read with DEPLOY_SSH_KEY_PASSPHRASE (wrong passphrase?)")}");
            }
        }

        foreach (var path in configured) AddFile(path);
        if (config.IdentitiesOnly) return (keys, tried);
        if (settings.AgentSocket is { } socket)
        {
            try
            {
                var agent = new SshAgent(socket);
                tried.Add($"ssh-agent ({agent.Count} key(s))");
                if (agent.Count > 0) keys.Add(agent);
            }
            catch (Exception error) when (error is System.Net.Sockets.SocketException or SshConnectionException or IOException)
            {
                tried.Add($"ssh-agent at {socket}: {error.Message}");
            }
        }

        if (configured.Count == 0)
            foreach (var path in settings.DefaultKeyFiles) AddFile(path);
        return (keys, tried);
    }

    /// <summary>
    /// A reverse tunnel over the same connection: the server's 127.0.0.1:remotePort reaches this machine's
    /// 127.0.0.1:localPort. Tries a few ports on the server until one is free there.
    /// </summary>
    public async Task<(int RemotePort, IDisposable Tunnel)> OpenReverseTunnelAsync(int localPort, CancellationToken cancellation = default)
    {
        var client = await ConnectAsync(cancellation);
        for (var attempt = 0; ; attempt++)
        {
            var remotePort = (uint)Random.Shared.Next(20000, 60000);
            var forward = new ForwardedPortRemote(System.Net.IPAddress.Loopback, remotePort, System.Net.IPAddress.Loopback, (uint)localPort);
            client.AddForwardedPort(forward);
            try
            {
                forward.Start();
                return ((int)remotePort, new Tunnel(client, forward));
            }
            catch (SshException) when (attempt < 5)
            {
                client.RemoveForwardedPort(forward);
                forward.Dispose();
            }
        }
    }

    private sealed class Tunnel(SshClient client, ForwardedPortRemote forward) : IDisposable
    {
        public void Dispose()
        {
            forward.Stop();
            client.RemoveForwardedPort(forward);
            forward.Dispose();
        }
    }

    private string? CheckHostKey(SshEndpoint endpoint, HostKeyEventArgs key)
    {
        var (address, file) = (endpoint.Address, endpoint.KnownHostsFile);
        var name = $"[{address}]";
        var verdict = KnownHosts.Load(file).Verify(address.Host, address.Port, key.HostKeyName, key.HostKey);
        switch (verdict)
        {
            case HostKeyVerdict.Known:
                return null;
            case HostKeyVerdict.Changed:
                return $"{name} HOST KEY CHANGED: the server's {key.HostKeyName} key (SHA256:{key.FingerPrintSHA256}) is not the one in {file}. " +
                       "Someone may be intercepting the connection; if the server was really rebuilt, replace its line there.";
            case HostKeyVerdict.Revoked:
                return $"{name} the server's {key.HostKeyName} key (SHA256:{key.FingerPrintSHA256}) is marked @revoked in {file}: refused.";
            case HostKeyVerdict.KnownOtherType:
                return $"{name} the server offers a {key.HostKeyName} key (SHA256:{key.FingerPrintSHA256}) but {file} knows it by keys of other types: " +
                       "refused, even with --trust-new-host (a new key is trusted only for a host with none). Check with the server's owner, then add the line by hand.";
            case HostKeyVerdict.Unknown when settings.TrustNewHost:
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.AppendAllText(file, KnownHosts.Line(address.Host, address.Port, key.HostKeyName, key.HostKey) + "\n");
                log.Warning($"{name} trusted a new host key (SHA256:{key.FingerPrintSHA256}), added to {file}");
                return null;
            default:
                return $"{name} unknown host key (SHA256:{key.FingerPrintSHA256}) not in {file}. " +
                       $"Check the fingerprint with the server's owner, then add it (ssh-keyscan -p {address.Port} {address.Host} >> {file}) or run once with --trust-new-host.";
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        if (_bastion is not null) BastionConnections.Release(_bastionKey!, _bastion, _forward);
        _connectGate.Dispose();
    }
}
