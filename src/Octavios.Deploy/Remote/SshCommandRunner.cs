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
    private SshClient? _client;

    public string Target => server.ToString();

    public bool IsDryRun => false;

    public string ProjectDirectory => projectDirectory;

    public async Task<CommandResult> TryRunAsync(Command command, CancellationToken cancellation = default)
    {
        foreach (var secret in command.Secrets) masker.Add(secret);
        var client = await ConnectAsync(cancellation);
        log.Verbose($"[{Target}] {command.Display()}");
        var timeout = command.Timeout ?? Command.DefaultTimeout;
        var pidFile = $"/tmp/octavios-{Guid.NewGuid():N}.pid";
        var line = RemoteProcess.Wrap(command.NeedsProjectDirectory ? projectDirectory : "/", command.ToShellLine(), timeout, pidFile);
        // The server kills the command at its timeout; this later deadline covers a server that stopped answering.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout + TimeSpan.FromSeconds(15));
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
                ? new CommandResult(exit, ssh.Result, masker.Mask(ssh.Error))
                : new CommandResult(exit, masker.Mask(ssh.Result), masker.Mask(ssh.Error));
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

    /// <summary>Connects (once) within the timeout, checking the host key against known_hosts.</summary>
    public async Task<SshClient> ConnectAsync(CancellationToken cancellation = default)
    {
        await _connectGate.WaitAsync(cancellation);
        try
        {
            if (_client is { IsConnected: true }) return _client;
            if (_client is not null)
                throw new SshConnectionException($"[{Target}] the SSH connection was lost; not reconnecting in the middle of a run.");
            if (settings.KeyFile is null || !File.Exists(settings.KeyFile))
                throw new SshConnectionException($"No SSH private key: set DEPLOY_SSH_KEY to a key file authorised on {Target}.");

            var connection = new ConnectionInfo(server.Host, server.Port, server.User,
                new PrivateKeyAuthenticationMethod(server.User, new PrivateKeyFile(settings.KeyFile)))
            {
                Timeout = settings.ConnectTimeout,
            };
            var client = new SshClient(connection) { KeepAliveInterval = TimeSpan.FromSeconds(15) };
            string? rejection = null;
            client.HostKeyReceived += (_, e) => e.CanTrust = (rejection = CheckHostKey(e)) is null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(settings.ConnectTimeout);
            try
            {
                await client.ConnectAsync(timeout.Token);
            }
            catch (Exception error) when (error is not OperationCanceledException || timeout.IsCancellationRequested)
            {
                client.Dispose();
                throw new SshConnectionException(rejection ?? (error is OperationCanceledException or SshOperationTimeoutException
                    ? $"[{Target}] no SSH answer within {settings.ConnectTimeout.TotalSeconds:0.#}s."
                    : $"[{Target}] SSH connection failed: {error.Message}"), error);
            }

            log.Verbose($"[{Target}] connected over SSH");
            return _client = client;
        }
        finally
        {
            _connectGate.Release();
        }
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

    private string? CheckHostKey(HostKeyEventArgs key)
    {
        var verdict = KnownHosts.Load(settings.KnownHostsFile).Verify(server.Host, server.Port, key.HostKeyName, key.HostKey);
        var line = KnownHosts.Line(server.Host, server.Port, key.HostKeyName, key.HostKey);
        switch (verdict)
        {
            case HostKeyVerdict.Known:
                return null;
            case HostKeyVerdict.Changed:
                return $"[{Target}] HOST KEY CHANGED: the server's {key.HostKeyName} key (SHA256:{key.FingerPrintSHA256}) is not the one in {settings.KnownHostsFile}. " +
                       "Someone may be intercepting the connection; if the server was really rebuilt, replace its line there.";
            case HostKeyVerdict.Revoked:
                return $"[{Target}] the server's {key.HostKeyName} key (SHA256:{key.FingerPrintSHA256}) is marked @revoked in {settings.KnownHostsFile}: refused.";
            case HostKeyVerdict.KnownOtherType:
                return $"[{Target}] the server offers a {key.HostKeyName} key (SHA256:{key.FingerPrintSHA256}) but {settings.KnownHostsFile} knows it by keys of other types: " +
                       "refused, even with --trust-new-host (a new key is trusted only for a host with none). Check with the server's owner, then add the line by hand.";
            case HostKeyVerdict.Unknown when settings.TrustNewHost:
                Directory.CreateDirectory(Path.GetDirectoryName(settings.KnownHostsFile)!);
                File.AppendAllText(settings.KnownHostsFile, line + "\n");
                log.Warning($"[{Target}] trusted a new host key (SHA256:{key.FingerPrintSHA256}), added to {settings.KnownHostsFile}");
                return null;
            default:
                return $"[{Target}] unknown host key (SHA256:{key.FingerPrintSHA256}) not in {settings.KnownHostsFile}. " +
                       $"Check the fingerprint with the server's owner, then add it (ssh-keyscan -p {server.Port} {server.Host} >> {settings.KnownHostsFile}) or run once with --trust-new-host.";
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        _connectGate.Dispose();
    }
}
