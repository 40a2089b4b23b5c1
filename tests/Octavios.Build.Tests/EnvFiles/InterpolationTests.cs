using Octavios.Deploy.EnvFiles;

namespace Octavios.Build.Tests.EnvFiles;

/// <summary>Compose's ${...} operators, as used in compose files.</summary>
public class InterpolationTests
{
    private static readonly Dictionary<string, string> Values = new() { ["SET"] = "value", ["EMPTY"] = "" };

    private static string Sub(string text) => Interpolation.Substitute(text, name => Values.GetValueOrDefault(name));

    [TestCase("${SET:-d}", "value")]
    [TestCase("${EMPTY:-d}", "d")]
    [TestCase("${EMPTY-d}", "")]
    [TestCase("${UNSET-d}", "d")]
    [TestCase("${SET:+r}", "r")]
    [TestCase("${EMPTY:+r}", "")]
    [TestCase("${EMPTY+r}", "r")]
    [TestCase("${UNSET+r}", "")]
    [TestCase("${SET:?x}", "value")]
    [TestCase("${EMPTY?x}", "")]
    [TestCase("$$SET", "$SET")]
    [TestCase("$${SET}", "${SET}")]
    [TestCase("a-${SET}-$SET-b", "a-value-value-b")]
    [TestCase("${UNSET:-${SET:-x}}", "value")]
    [TestCase("${UNSET:-a}:${UNSET2:-b}", "a:b")]
    public void Operators(string text, string expected) => Assert.That(Sub(text), Is.EqualTo(expected));

    [TestCase("${EMPTY:?must be set}", "required variable EMPTY is missing a value: must be set")]
    [TestCase("${UNSET?}", "required variable UNSET is missing a value")]
    [TestCase("${SET:x}", "invalid interpolation format")]
    public void Errors(string text, string message) =>
        Assert.That(Assert.Throws<InterpolationException>(() => Sub(text))!.Message, Does.Contain(message));

    [Test]
    public void UnsetVariablesWithoutDefaultAreReported()
    {
        var missing = new List<string>();
        Assert.That(Interpolation.Substitute("${A}-$B-${C:-c}", _ => null, missing), Is.EqualTo("--c"));
        Assert.That(missing, Is.EqualTo(new[] { "A", "B" }));
    }
}
