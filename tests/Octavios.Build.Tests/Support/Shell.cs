using Octavios.Deploy.Output;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Build.Tests.Support;

/// <summary>Runs real programs for end-to-end tests, through the suite's own local runner.</summary>
public static class Shell
{

    public static CommandResult Run(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var command = new Command(program, args.Select(a => new CommandArg(a)).ToList())
        {
            Environment = (environment ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => new CommandArg(e.Value)),
        };
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        return new LocalCommandRunner(workingDirectory ?? SuiteRun.RepositoryRoot, new NullLog(), new SecretMasker())
            .TryRunAsync(command, cancellation.Token).GetAwaiter().GetResult();
    }

    public static string Docker(params string[] args)
    {
        var result = Run("docker", args);
        Assert.That(result.ExitCode, Is.Zero, $"docker {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput.Trim();
    }

    /// <summary>Runs ./build.sh from the repository root, as a user would.</summary>
    public static CommandResult BuildScript(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Run(Path.Combine(SuiteRun.RepositoryRoot, "build.sh"), args, environment, SuiteRun.RepositoryRoot, TimeSpan.FromMinutes(8));

    /// <summary>Starts a server process for a test; its output is read and dropped so it never blocks on a full pipe.</summary>
    public static System.Diagnostics.Process StartBackground(string program, IEnumerable<string> args)
    {
        var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
