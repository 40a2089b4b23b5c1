using Octavios.Deploy.Execution;

namespace Octavios.Build.Tests.Deployment;

public class SecretMaskerTests
{
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
}
