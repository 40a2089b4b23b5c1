using Renci.SshNet;

namespace Octavios.Deploy.Remote;

/// <summary>
/// One connection per bastion for the whole process, shared by every server reached through it: a fleet behind one
/// bastion opens one connection there, not one per host (a bastion's MaxStartups drops a burst of them). The last
/// user to let go closes it.
/// </summary>
internal static class BastionConnections
{
    private sealed class Shared(Task<SshClient> client)
    {
        public Task<SshClient> Client { get; } = client;
        public int Users { get; set; } = 1;
    }

    private static readonly Dictionary<string, Shared> Open = new();

    /// <summary>The bastion's connection, opened by <paramref name="open"/> for its first user; a failure is every waiting user's.</summary>
    public static Task<SshClient> AcquireAsync(string key, Func<Task<SshClient>> open)
    {
        lock (Open)
        {
            if (Open.TryGetValue(key, out var shared) && !shared.Client.IsFaulted && !shared.Client.IsCanceled &&
                (!shared.Client.IsCompletedSuccessfully || shared.Client.Result.IsConnected))
            {
                shared.Users++;
                return shared.Client;
            }

            shared = new Shared(open());
            Open[key] = shared;
            return shared.Client;
        }
    }

    /// <summary>A port forwarded through the bastion to <paramref name="host"/>:<paramref name="port"/>, on a local port of its own.</summary>
    public static ForwardedPortLocal Forward(SshClient bastion, string host, uint port)
    {
        var forward = new ForwardedPortLocal("127.0.0.1", 0, host, port);
        // SSH.NET's forwarded port holds a pool thread for each connection's whole life: one more, or the pool's slow
        // growth (one thread per half second) starves the handshakes of the next servers past their timeout.
        ThreadPool.GetMinThreads(out var workers, out var completions);
        ThreadPool.SetMinThreads(workers + 1, completions + 1);
        lock (Open) bastion.AddForwardedPort(forward);
        forward.Start();
        return forward;
    }

    /// <summary>Stops this user's forwarded port; the connection is closed once nobody uses it.</summary>
    public static void Release(string key, SshClient bastion, ForwardedPortLocal? forward)
    {
        lock (Open)
        {
            if (forward is not null)
            {
                forward.Dispose();
                bastion.RemoveForwardedPort(forward);
            }

            if (!Open.TryGetValue(key, out var shared) || !shared.Client.IsCompletedSuccessfully || !ReferenceEquals(shared.Client.Result, bastion))
            {
                bastion.Dispose();
                return;
            }

            if (--shared.Users > 0) return;
            Open.Remove(key);
            bastion.Dispose();
        }
    }
}
