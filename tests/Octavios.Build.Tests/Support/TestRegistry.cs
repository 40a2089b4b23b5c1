using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Octavios.Build.Tests.Support;

/// <summary>A real Docker registry (Debian's docker-registry) on loopback, optionally behind htpasswd auth.</summary>
public sealed class TestRegistry : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http = new();

    public string Address { get; }

    public (string User, string Password)? Credentials { get; }

    private TestRegistry(string address, string directory, Process process, (string, string)? credentials)
    {
        Address = address;
        _directory = directory;
        _process = process;
        Credentials = credentials;
        if (credentials is { } c)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.Item1}:{c.Item2}")));
    }

    /// <param name="reachableFromLab">Listens on every address, so the hosts of a <see cref="FleetLab"/> reach it through the lab's bridge.</param>
    public static TestRegistry Start(bool withAuth = false, bool reachableFromLab = false)
    {
        var directory = Directory.CreateTempSubdirectory("octavios-registry-").FullName;
        var port = Shell.FreePort();
        (string, string)? credentials = null;
        var auth = "";
        if (withAuth)
        {
            credentials = ("ci-user", "registry-pass-" + Guid.NewGuid().ToString("N")[..12]);
            var htpasswd = Shell.Run("htpasswd", ["-Bbn", credentials.Value.Item1, credentials.Value.Item2]);
            Assert.That(htpasswd.ExitCode, Is.Zero, htpasswd.StandardError);
            File.WriteAllText(Path.Combine(directory, "htpasswd"), htpasswd.StandardOutput.Trim() + "\n");
            auth = $"auth:\n  htpasswd:\n    realm: octavios-test\n    path: {directory}/htpasswd\n";
        }

        var config = Path.Combine(directory, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {directory}/data
              delete:
                enabled: true
            http:
              addr: {(reachableFromLab ? "0.0.0.0" : "127.0.0.1")}:{port}
            {auth}
            """);
        var process = Shell.StartBackground("docker-registry", ["serve", config]);
        var registry = new TestRegistry($"127.0.0.1:{port}", directory, process, credentials);
        registry.WaitUntilUp();
        return registry;
    }

    private void WaitUntilUp()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                var status = (int)_http.GetAsync($"http://{Address}/v2/").GetAwaiter().GetResult().StatusCode;
                if (status is 200 or 401) return;
            }
            catch (HttpRequestException)
            {
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"registry on {Address} did not start");
    }

    /// <summary>Tags of a repository, asked through the registry's HTTP API v2.</summary>
    public IReadOnlyList<string> Tags(string repository)
    {
        var response = _http.GetAsync($"http://{Address}/v2/{repository}/tags/list").GetAwaiter().GetResult();
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return [];
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return json.RootElement.GetProperty("tags") is { ValueKind: JsonValueKind.Array } tags
            ? tags.EnumerateArray().Select(t => t.GetString()!).Order().ToList()
            : [];
    }

    /// <summary>The manifest digest a tag names, or null when the tag does not exist.</summary>
    public string? Digest(string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{Address}/v2/{repository}/manifests/{tag}");
        foreach (var type in Octavios.Deploy.Registry.RegistryClient.ManifestTypes) request.Headers.Accept.ParseAdd(type);
        using var response = _http.Send(request);
        return response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
    }

    /// <summary>Stops the registry for good, as an outage would.</summary>
    public void Stop()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _http.Dispose();
        Directory.Delete(_directory, true);
    }
}
