using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;

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
        using var response = await RequestAsync(HttpMethod.Head, ManifestUrl(image, image.Tag), image, credentials, cancellation);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw Refused(image, response, credentials),
        };
    }

    /// <summary>The manifest digest of a tag and the revision label of its image config; null when the tag does not exist.</summary>
    public async Task<(string Digest, string? Revision)?> ImageRevisionAsync(ImageReference image, RegistryCredentials? credentials,
        CancellationToken cancellation = default)
    {
        using var top = await RequestAsync(HttpMethod.Get, ManifestUrl(image, image.Tag), image, credentials, cancellation);
        if (top.StatusCode == HttpStatusCode.NotFound) return null;
        if (top.StatusCode != HttpStatusCode.OK) throw Refused(image, top, credentials);
        var digest = top.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : "";
        using var manifest = JsonDocument.Parse(await top.Content.ReadAsStringAsync(cancellation));
        var root = manifest.RootElement;
        if (root.TryGetProperty("manifests", out var platforms))
        {
            // An index: read the first platform's manifest (every platform is built from the same commit).
            var first = platforms.EnumerateArray().First().GetProperty("digest").GetString()!;
            using var platform = await RequestAsync(HttpMethod.Get, ManifestUrl(image, first), image, credentials, cancellation);
            using var inner = JsonDocument.Parse(await platform.Content.ReadAsStringAsync(cancellation));
            return (digest, await RevisionAsync(image, inner.RootElement, credentials, cancellation));
        }

        return (digest, await RevisionAsync(image, root, credentials, cancellation));
    }

    private async Task<string?> RevisionAsync(ImageReference image, JsonElement manifest, RegistryCredentials? credentials, CancellationToken cancellation)
    {
        var configDigest = manifest.GetProperty("config").GetProperty("digest").GetString();
        using var blob = await RequestAsync(HttpMethod.Get, $"{image.Scheme}://{image.ApiHost}/v2/{image.Repository}/blobs/{configDigest}", image, credentials, cancellation);
        if (!blob.IsSuccessStatusCode) throw Refused(image, blob, credentials);
        using var config = JsonDocument.Parse(await blob.Content.ReadAsStringAsync(cancellation));
        return config.RootElement.TryGetProperty("config", out var c) && c.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
               && labels.TryGetProperty("org.opencontainers.image.revision", out var revision)
            ? revision.GetString()
            : null;
    }

    private static string ManifestUrl(ImageReference image, string reference) =>
        $"{image.Scheme}://{image.ApiHost}/v2/{image.Repository}/manifests/{reference}";

    private static RegistryException Refused(ImageReference image, HttpResponseMessage response, RegistryCredentials? credentials) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? new RegistryException($"{image.Registry} refused access to {image.Repository} ({(int)response.StatusCode}){(credentials is null ? ": no credentials; run docker login " + image.Registry : ": check the credentials")}")
            : new RegistryException($"{image.Registry} answered {(int)response.StatusCode} for {image.Repository}:{image.Tag}");

    /// <summary>Sends once anonymously; on 401 answers the challenge (basic or bearer) and sends again.</summary>
    private async Task<HttpResponseMessage> RequestAsync(HttpMethod method, string url, ImageReference image, RegistryCredentials? credentials,
        CancellationToken cancellation)
    {
        var response = await SendAsync(method, url, null, cancellation);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        response.Dispose();
        return await SendAsync(method, url, await AuthorizeAsync(challenge, image, credentials, cancellation), cancellation);
    }

    /// <summary>A network error or a 5xx is tried again, twice, after 0.5 s then 1 s; the last answer or error stands.</summary>
    private static readonly ResiliencePipeline<HttpResponseMessage> Transient = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(500),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>().HandleResult(r => (int)r.StatusCode >= 500),
        })
        .Build();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, AuthenticationHeaderValue? authorization, CancellationToken cancellation)
    {
        try
        {
            return await Transient.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(method, url);
                foreach (var type in ManifestTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
                request.Headers.Authorization = authorization;
                return await http.SendAsync(request, token);
            }, cancellation);
        }
        catch (HttpRequestException error)
        {
            throw new RegistryException($"{new Uri(url).Authority} cannot be reached: {error.Message}");
        }
    }

    /// <summary>Whether the registry wants credentials at all: its /v2/ answers 401.</summary>
    public async Task<bool> RequiresLoginAsync(string registry, CancellationToken cancellation = default)
    {
        var probe = ImageReference.Parse($"{registry}/probe/probe:probe");
        using var response = await SendAsync(HttpMethod.Get, $"{probe.Scheme}://{probe.ApiHost}/v2/", null, cancellation);
        return response.StatusCode == HttpStatusCode.Unauthorized;
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
