using Octavios.Build.Tests.Support;
using Octavios.Deploy.EnvFiles;

namespace Octavios.Build.Tests.EnvFiles;

/// <summary>Compose v1's reading of env files (python-dotenv), checked against the docker-compose 1.29 installed here.</summary>
public class ComposeV1ReadingTests
{
    private const string File = """
        A=Adv$ecretDbPassword-2024-zz
        B="dq $HOME ${HOME} \n x"
        C='sq ${HOME}'
        D=${MISSING:-def}
        E=${MISSING-def2}
        F=${HOME:+alt}
        G=val # comment
        H=val#nocomment
        I="multi
        line"
        export J=exported
        K=$$double
        L=${MISSING:?err}
        M=${A}
        """;

    private static Dictionary<string, string> Read(DotEnvRules rules) =>
        DotEnvReader.Parse(File, ".env", name => name == "HOME" ? "/root" : null, rules).ToDictionary(v => v.Name, v => v.Value);

    [Test]
    public void V1ExpandsOnlyBracedReferencesAndInSingleQuotesToo()
    {
        var v1 = Read(DotEnvRules.ComposeV1);
        Assert.That(v1["A"], Is.EqualTo("Adv$ecretDbPassword-2024-zz"));
        Assert.That(v1["B"], Is.EqualTo("dq $HOME /root \n x"));
        Assert.That(v1["C"], Is.EqualTo("sq /root"));
        Assert.That((v1["D"], v1["E"], v1["F"]), Is.EqualTo(("def", "", "${HOME:+alt}")));
        Assert.That((v1["G"], v1["H"], v1["I"], v1["J"], v1["K"], v1["L"]), Is.EqualTo(("val", "val#nocomment", "multi\nline", "exported", "$$double", "${MISSING:?err}")));
        Assert.That(v1["M"], Is.EqualTo("Adv$ecretDbPassword-2024-zz"));
    }

    [Test]
    public void TheTwoReadingsDifferWhereComposeVersionsDo()
    {
        var loaded = LoadedEnvFile.Read(".env", "A=Adv$ecretDbPassword-2024-zz\nSAME=plain\n", _ => null, DotEnvRules.ComposeV1);
        Assert.That(loaded.ReadDifferently(), Is.EqualTo(new[] { "A" }));
        Assert.That(loaded["A"], Is.EqualTo("Adv$ecretDbPassword-2024-zz"));
        Assert.That(loaded.SecretValues(["A"]), Does.Contain("Adv$ecretDbPassword-2024-zz").And.Contain("Adv-2024-zz"), "both readings are masked");
    }

    [Test]
    public void MatchesDockerComposeV1OnThisMachine()
    {
        var dir = Directory.CreateTempSubdirectory("octavios-v1-").FullName;
        try
        {
            var v1 = Read(DotEnvRules.ComposeV1).Where(v => v.Key != "L" && v.Key != "F").ToDictionary();
            System.IO.File.WriteAllText(Path.Combine(dir, ".env"), File);
            System.IO.File.WriteAllText(Path.Combine(dir, "docker-compose.yml"),
                "version: \"3.8\"\nservices:\n  s:\n    image: busybox\n    environment:\n" + string.Concat(v1.Keys.Select(k => $"      {k}: ${{{k}}}\n")));
            var config = Shell.Run("docker-compose", ["config"], new Dictionary<string, string> { ["HOME"] = "/root" }, dir);
            Assert.That(config.ExitCode, Is.Zero, config.StandardError);
            var yaml = new YamlDotNet.RepresentationModel.YamlStream();
            yaml.Load(new StringReader(config.StandardOutput));
            var environment = ((YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode["services"]["s"]["environment"]).Children
                .ToDictionary(c => c.Key.ToString(), c => c.Value.ToString());
            // docker-compose config writes a literal '$' as '$$'.
            foreach (var (name, value) in v1) Assert.That(environment[name].Replace("$$", "$"), Is.EqualTo(value), name);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
