using Cake.Core.Configuration;
using Octavios.Build.Host;

namespace Octavios.Build.Tests.Host;

public class ResolvedArgumentsTests
{
    private static readonly ArgumentDefinition[] Definitions =
    [
        new("services", "s"),
        new("env-file", "e"),
        new("env", "environment", "local"),
    ];

    private sealed class Configuration(Dictionary<string, string> values) : ICakeConfiguration
    {
        public string? GetValue(string key) => values.GetValueOrDefault(key);
    }

    private static ILookup<string, string> Resolve(string[] args, Dictionary<string, string>? environment = null,
        Dictionary<string, string>? config = null) =>
        ResolvedArguments.Resolve(CommandLine.Parse(args).Arguments, Definitions,
            name => environment?.GetValueOrDefault(name), new Configuration(config ?? new()));

    [Test]
    public void CommandLineWinsOverEnvironmentAndConfiguration()
    {
        var resolved = Resolve(["--services=web"], new() { ["OCTAVIOS_SERVICES"] = "backend" },
            new() { ["Octavios_Services"] = "aletheia" });
        Assert.That(resolved["services"].Single(), Is.EqualTo("web"));
    }

    [Test]
    public void EnvironmentVariableWinsOverConfigurationAndDefault()
    {
        var resolved = Resolve([], new() { ["OCTAVIOS_ENV_FILE"] = "envs/.env.ci", ["OCTAVIOS_ENV"] = "prod" },
            new() { ["Octavios_EnvFile"] = "envs/.env.other" });
        Assert.That(resolved["env-file"].Single(), Is.EqualTo("envs/.env.ci"));
        Assert.That(resolved["env"].Single(), Is.EqualTo("prod"));
    }

    [Test]
    public void CakeConfigWinsOverTheDefault()
    {
        Assert.That(Resolve([], config: new() { ["Octavios_Env"] = "staging" })["env"].Single(), Is.EqualTo("staging"));
        Assert.That(Resolve([])["env"].Single(), Is.EqualTo("local"));
    }

    [Test]
    public void AnUnknownArgumentIsRefusedWithASuggestion()
    {
        var error = Assert.Throws<BuildInputException>(() => Resolve(["--service=backend"]));
        Assert.That(error!.Message, Does.Contain("--service").And.Contain("Did you mean --services"));
    }

    [Test]
    public void EnvironmentVariableNamesFollowTheArgumentName()
    {
        Assert.That(Definitions[1].EnvironmentVariable, Is.EqualTo("OCTAVIOS_ENV_FILE"));
        Assert.That(Definitions[1].ConfigurationKey, Is.EqualTo("Octavios_EnvFile"));
    }
}
