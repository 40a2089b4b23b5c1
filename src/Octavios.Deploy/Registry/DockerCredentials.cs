using System.Text;
using System.Text.Json;
using Octavios.Deploy.Commands;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.Registry;

/// <summary>Registry credentials where the docker CLI keeps them: config.json's auths, or a credential helper.</summary>
public static class DockerCredentials
{
    /// <summary>REGISTRY_USERNAME/REGISTRY_PASSWORD first, then $DOCKER_CONFIG/config.json (or ~/.docker/config.json).</summary>
    public static async Task<RegistryCredentials?> FindAsync(string registry, Func<string, string?> variables, ICommandRunner local,
        CancellationToken cancellation = default)
    {
        if (RegistryCredentials.FromEnvironment(variables) is { } fromEnvironment) return fromEnvironment;
        var directory = variables("DOCKER_CONFIG") ?? Path.Combine(variables("HOME") ?? "/root", ".docker");
        var path = Path.Combine(directory, "config.json");
        if (!File.Exists(path)) return null;

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellation));
        var root = json.RootElement;
        var keys = ConfigKeys(registry);
        if (root.TryGetProperty("credHelpers", out var helpers) && keys.Select(k => helpers.TryGetProperty(k, out var h) ? h.GetString() : null).FirstOrDefault(h => h is not null) is { } helper)
            return await FromHelperAsync(helper, keys[0], local, cancellation);
        if (root.TryGetProperty("auths", out var auths))
        {
            foreach (var key in keys)
            {
                if (auths.TryGetProperty(key, out var entry) && entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
                {
                    var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                    var colon = pair.IndexOf(':');
                    if (colon > 0) return new RegistryCredentials(pair[..colon], pair[(colon + 1)..]);
                }
            }
        }

        return root.TryGetProperty("credsStore", out var store) && store.GetString() is { Length: > 0 } storeName
            ? await FromHelperAsync(storeName, keys[0], local, cancellation)
            : null;
    }

    /// <summary>The keys the docker CLI files a registry under; Docker Hub's is its old index URL.</summary>
    public static string[] ConfigKeys(string registry) => registry is ImageReference.DockerHub or "index.docker.io"
        ? ["https://index.docker.io/v1/", "index.docker.io", "docker.io"]
        : [registry, $"https://{registry}", $"http://{registry}"];

    private static async Task<RegistryCredentials?> FromHelperAsync(string helper, string serverUrl, ICommandRunner local, CancellationToken cancellation)
    {
        var result = await local.TryRunAsync(DockerCommands.CredentialHelper(helper, serverUrl), cancellation);
        if (!result.Succeeded) return null;
        using var json = JsonDocument.Parse(result.StandardOutput);
        return new RegistryCredentials(json.RootElement.GetProperty("Username").GetString() ?? "", json.RootElement.GetProperty("Secret").GetString() ?? "");
    }
}
