using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Octavios.Deploy.Images;

namespace Octavios.Deploy.Registry;

public sealed class RegistryException(string message) : Exception(message);

/// <summary>
/// Asks a registry's HTTP API v2 whether a manifest exists: HEAD with the manifest list, OCI index and
/// v2 media types; anonymous, basic, or the bearer-token flow Docker Hub uses.
/// </summary>
public sealed class RegistryClient(HttpClient http)
{
    public static readonly string[] ManifestTypes =
    [
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ];

    public async Task<bool> ManifestExistsAsync(ImageReference image, RegistryCredentials? credentials, CancellationToken cancellation = default)
    {
        var url = $"{image.Scheme}://{image.ApiHost}/v2/{image.Repository}/manifests/{image.Tag}";
        using var first = await SendAsync(url, null, cancellation);
        var response = first;
        HttpResponseMessage? retried = null;
        try
        {
            if (first.StatusCode == HttpStatusCode.Unauthorized)
            {
                var authorization = await AuthorizeAsync(first.Headers.WwwAuthenticate.FirstOrDefault(), image, credentials, cancellation);
                retried = await SendAsync(url, authorization, cancellation);
                response = retried;
            }

            return response.StatusCode switch
            {
                HttpStatusCode.OK => true,
                HttpStatusCode.NotFound => false,
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => throw new RegistryException(
                    $"{image.Registry} refused access to {image.Repository} ({(int)response.StatusCode}){(credentials is null ? ": no credentials; run docker login " + image.Registry : ": check the credentials")}"),
                _ => throw new RegistryException($"{image.Registry} answered {(int)response.StatusCode} for {image.Repository}:{image.Tag}"),
            };
        }
        finally
        {
            retried?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string url, AuthenticationHeaderValue? authorization, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        foreach (var type in ManifestTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        request.Headers.Authorization = authorization;
        try
        {
            return await http.SendAsync(request, cancellation);
        }
        catch (HttpRequestException error)
        {
            throw new RegistryException($"{new Uri(url).Authority} cannot be reached: {error.Message}");
        }
    }

    private async Task<AuthenticationHeaderValue> AuthorizeAsync(AuthenticationHeaderValue? challenge, ImageReference image,
        RegistryCredentials? credentials, CancellationToken cancellation)
    {
        if (challenge is null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (credentials is null) throw new RegistryException($"{image.Registry} needs a login: no credentials (docker login {image.Registry}, or REGISTRY_USERNAME/REGISTRY_PASSWORD)");
            return Basic(credentials);
        }

        var parameters = Parameters(challenge.Parameter ?? "");
        if (!parameters.TryGetValue("realm", out var realm)) throw new RegistryException($"{image.Registry} sent a bearer challenge without a realm");
        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service)) query.Add("service=" + Uri.EscapeDataString(service));
        query.Add("scope=" + Uri.EscapeDataString(parameters.GetValueOrDefault("scope") ?? $"repository:{image.Repository}:pull"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{realm}?{string.Join('&', query)}");
        if (credentials is not null) request.Headers.Authorization = Basic(credentials);
        using var response = await http.SendAsync(request, cancellation);
        if (!response.IsSuccessStatusCode) throw new RegistryException($"{image.Registry}'s token service refused the request ({(int)response.StatusCode})");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
        var token = json.RootElement.TryGetProperty("token", out var t) ? t.GetString() : json.RootElement.GetProperty("access_token").GetString();
        return new AuthenticationHeaderValue("Bearer", token);
    }

    private static AuthenticationHeaderValue Basic(RegistryCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    /// <summary>realm="...",service="...",scope="..." from a WWW-Authenticate header.</summary>
    public static Dictionary<string, string> Parameters(string header) =>
        System.Text.RegularExpressions.Regex.Matches(header, "(\\w+)=\"([^\"]*)\"")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.OrdinalIgnoreCase);
}
