using System.Net;
using Octavios.Deploy.Images;
using Octavios.Deploy.Registry;

namespace Octavios.Build.Tests.Validation;

/// <summary>The registry API v2 protocol: media types, basic auth, Docker Hub's bearer-token flow.</summary>
public class RegistryClientTests
{
    /// <summary>Plays a registry's side of the protocol and records what was asked.</summary>
    private sealed class Registry(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(answer(request));
        }
    }

    private static HttpResponseMessage Status(HttpStatusCode code, string? challenge = null)
    {
        var response = new HttpResponseMessage(code);
        if (challenge is not null) response.Headers.WwwAuthenticate.ParseAdd(challenge);
        return response;
    }

    private static bool Exists(Registry registry, string image, RegistryCredentials? credentials = null) =>
        new RegistryClient(new HttpClient(registry)).ManifestExistsAsync(ImageReference.Parse(image), credentials).GetAwaiter().GetResult();

    [Test]
    public void AnonymousHeadWithEveryManifestType()
    {
        var registry = new Registry(_ => Status(HttpStatusCode.OK));
        Assert.That(Exists(registry, "127.0.0.1:5000/octavios/web:0.2.2"), Is.True);
        var request = registry.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Head));
        Assert.That(request.RequestUri!.ToString(), Is.EqualTo("http://127.0.0.1:5000/v2/octavios/web/manifests/0.2.2"));
        Assert.That(request.Headers.Accept.Select(a => a.MediaType), Is.EquivalentTo(RegistryClient.ManifestTypes));
    }

    [Test]
    public void ServerErrorsAreTriedAgain()
    {
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK]);
        var registry = new Registry(_ => Status(answers.Dequeue()));
        Assert.That(Exists(registry, "127.0.0.1:5000/octavios/web:0.2.2"), Is.True);
        Assert.That(registry.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void PersistentServerErrorsAreReported()
    {
        var registry = new Registry(_ => Status(HttpStatusCode.ServiceUnavailable));
        Assert.That(Assert.Throws<RegistryException>(() => Exists(registry, "127.0.0.1:5000/octavios/web:0.2.2"))!.Message, Does.Contain("503"));
        Assert.That(registry.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void NotFoundMeansNeverPushed() => Assert.That(Exists(new Registry(_ => Status(HttpStatusCode.NotFound)), "r.example.com/a/b:1.0.0"), Is.False);

    [Test]
    public void BasicChallengeIsAnsweredWithTheCredentials()
    {
        var registry = new Registry(r => r.Headers.Authorization is null ? Status(HttpStatusCode.Unauthorized, "Basic realm=\"r\"") : Status(HttpStatusCode.OK));
        Assert.That(Exists(registry, "r.example.com/a/b:1.0.0", new RegistryCredentials("ci", "pw")), Is.True);
        Assert.That(registry.Requests[1].Headers.Authorization!.ToString(), Is.EqualTo("Basic Y2k6cHc="));
    }

    [Test]
    public void DockerHubBearerFlowFetchesATokenForThePullScope()
    {
        var registry = new Registry(r => r.RequestUri!.Host switch
        {
            "auth.docker.io" => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"token\":\"tok123\"}") },
            _ when r.Headers.Authorization?.Scheme == "Bearer" => Status(HttpStatusCode.OK),
            _ => Status(HttpStatusCode.Unauthorized, "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:octavios/web:pull\""),
        });
        Assert.That(Exists(registry, "octavios/web:0.2.2"), Is.True);
        Assert.That(registry.Requests[0].RequestUri!.ToString(), Is.EqualTo("https://registry-1.docker.io/v2/octavios/web/manifests/0.2.2"));
        Assert.That(registry.Requests[1].RequestUri!.ToString(), Is.EqualTo("https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Aoctavios%2Fweb%3Apull"));
        Assert.That(registry.Requests[2].Headers.Authorization!.ToString(), Is.EqualTo("Bearer tok123"));
    }

    [Test]
    public void RefusedCredentialsAreAnErrorNotAMissingImage()
    {
        var registry = new Registry(_ => Status(HttpStatusCode.Unauthorized, "Basic realm=\"r\""));
        Assert.Throws<RegistryException>(() => Exists(registry, "r.example.com/a/b:1.0.0", new RegistryCredentials("ci", "wrong")));
        Assert.That(Assert.Throws<RegistryException>(() => Exists(registry, "r.example.com/a/b:1.0.0"))!.Message, Does.Contain("docker login r.example.com"));
    }

    [TestCase("octavios/web:0.2.2", "docker.io", "octavios/web", "0.2.2")]
    [TestCase("busybox", "docker.io", "library/busybox", "latest")]
    [TestCase("127.0.0.1:5000/octavios/web:0.2.2", "127.0.0.1:5000", "octavios/web", "0.2.2")]
    [TestCase("localhost/a:1", "localhost", "a", "1")]
    [TestCase("ghcr.io/org/app/api:2.0.0-rc.1", "ghcr.io", "org/app/api", "2.0.0-rc.1")]
    public void ImageReferencesSplitAsTheDockerCliDoes(string text, string registry, string repository, string tag) =>
        Assert.That(ImageReference.Parse(text), Is.EqualTo(new ImageReference(registry, repository, tag)));

    [Test]
    public void CredentialsComeFromTheDockerCliConfig()
    {
        var dir = Directory.CreateTempSubdirectory("octavios-docker-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"),
            "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + Convert.ToBase64String("ci:s3cr3t:with:colons"u8.ToArray()) + "\"}}}");
        var found = DockerCredentials.FindAsync("127.0.0.1:5000", n => n == "DOCKER_CONFIG" ? dir : null, null!).GetAwaiter().GetResult();
        Assert.That(found, Is.EqualTo(new RegistryCredentials("ci", "s3cr3t:with:colons")));
        Assert.That(found!.ToString(), Does.Not.Contain("s3cr3t"));
        Directory.Delete(dir, true);
    }
}
