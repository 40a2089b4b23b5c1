using Octavios.Deploy.Output;

namespace Octavios.Build.Tests.Output;

public class SecretMaskerTests
{
    private const string Pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4\nab\n-----END PRIVATE KEY-----";

    [Test]
    public void MasksEveryOccurrenceLongestFirst()
    {
        var masker = new SecretMasker();
        masker.Add("abcd1234");
        masker.Add("abcd1234-extended");
        Assert.That(masker.Mask("a=abcd1234-extended b=abcd1234"), Is.EqualTo("a=*** b=***"));
    }

    [Test]
    public void IgnoresTooShortValuesThatWouldMaskOrdinaryText()
    {
        var masker = new SecretMasker();
        masker.Add("a");
        masker.Add("");
        masker.Add(null);
        Assert.That(masker.Mask("a cat"), Is.EqualTo("a cat"));
    }

    [Test]
    public void MasksEachLineOfAMultiLineValueAndTheValueWithItsBreaksWrittenAsBackslashN()
    {
        var masker = new SecretMasker();
        masker.Add(Pem);
        var printedByALog = "key loaded: VJTUt9Us8cKjMzEfYyjiWA4R4 and MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        Assert.That(masker.Mask(printedByALog), Is.EqualTo("key loaded: *** and ***"));
        Assert.That(masker.Mask("{\"key\": \"" + Pem.Replace("\n", "\\n") + "\"}"), Does.Not.Contain("MIIEv").And.Not.Contain("VJTUt9"));
        // A line shorter than eight characters alone is not a secret: it would mask ordinary words.
        Assert.That(masker.Mask("ab cd"), Is.EqualTo("ab cd"));
    }

    [Test]
    public void MasksAValueAsJsonWritesIt()
    {
        var masker = new SecretMasker();
        masker.Add("PASS&?!)\"word<x>");
        var json = System.Text.Json.JsonSerializer.Serialize(new { message = "failed with PASS&?!)\"word<x> in it" });
        Assert.That(json, Does.Contain("\\u0026"), "the default encoder escapes it");
        Assert.That(masker.Mask(json), Does.Not.Contain("PASS").And.Contain("***"));
    }

    [TestCase("postgres://octavios:Sup3r-S3cret@db:5432/app", "postgres://***@db:5432/app")]
    [TestCase("SENTRY_DSN=https://0123456789abcdef@o1.ingest.sentry.io/42", "SENTRY_DSN=***")]
    [TestCase("connecting to https://0123456789abcdef@o1.ingest.sentry.io/42", "connecting to https://***@o1.ingest.sentry.io/42")]
    [TestCase("SECRET_KEY=not-known-to-the-suite", "SECRET_KEY=***")]
    [TestCase("db_password: \"hunter22\"", "db_password: \"***\"")]
    [TestCase("{\"api_key\":\"abcdefgh\"}", "{\"api_key\":\"***\"}")]
    [TestCase("export GITHUB_TOKEN=ghp_abcdef", "export GITHUB_TOKEN=***")]
    [TestCase("innocent=Xk9mQ2vL7pR4tY8wZ3nB6cJ1", "innocent=***")]
    [TestCase("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_***")]
    public void MasksWhatItDoesNotKnowByItsShape(string text, string masked) =>
        Assert.That(new SecretMasker().Mask(text), Is.EqualTo(masked));

    [TestCase("sha256:8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")]
    [TestCase("revision 1f2e3d4c5b6a79880706f5e4d3c2b1a098765432")]
    [TestCase("container 3f4e5d6c7b8a and image octavios-file-manager-1")]
    [TestCase("the server's ED25519 key (SHA256:Xk9mQ2vL7pR4tY8wZ3nB6cJ1aDfGhJkLzXcVbNm0QwE) is not the one")]
    [TestCase("env.secret-length: SECRET_KEY is 5 characters; a secret needs at least 32")]
    [TestCase("unauthorized: authentication required")]
    [TestCase("NAME               LENGTH  SHA256\nSECRET_KEY             45  fddd9f609287")]
    [TestCase("BACKEND_VERSION=0.2.3 WEB_VERSION=0.2.2")]
    public void LeavesIdentifiersDigestsAndTheSuitesOwnMessages(string text) =>
        Assert.That(new SecretMasker().Mask(text), Is.EqualTo(text));

    [Test]
    public void MaskKnownLeavesShapesAlone()
    {
        var masker = new SecretMasker();
        masker.Add("known-secret-value");
        Assert.That(masker.MaskKnown("SECRET_KEY=other known-secret-value"), Is.EqualTo("SECRET_KEY=other ***"));
    }
}
