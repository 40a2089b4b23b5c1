using Octavios.Deploy.EnvFiles;

namespace Octavios.Build.Tests.EnvFiles;

/// <summary>The reader against Compose v2's dotenv rules (compose-go), case by case.</summary>
public class DotEnvReaderTests
{
    private static readonly Dictionary<string, string> Process = new() { ["HOME_DIR"] = "/home/ci", ["FROM_SHELL"] = "shell-value" };

    private static Dictionary<string, string> Read(string text) =>
        DotEnvReader.Parse(text, ".env", name => Process.GetValueOrDefault(name)).ToDictionary(v => v.Name, v => v.Value);

    private static string Value(string text, string name = "KEY") => Read(text)[name];

    // Plain values
    [TestCase("KEY=value", "value")]
    [TestCase("KEY = value", "value")]
    [TestCase("KEY=  spaced value  ", "spaced value")]
    [TestCase("KEY=", "")]
    [TestCase("KEY: yaml-style", "yaml-style")]
    [TestCase("export KEY=exported", "exported")]
    [TestCase("export   KEY=tabs", "tabs")]
    [TestCase("  KEY=indented", "indented")]
    // The seed's password and other shell metacharacters are ordinary characters
    [TestCase("KEY=YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)", "YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)")]
    [TestCase("KEY='YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)'", "YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)")]
    [TestCase("KEY=\"YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)\"", "YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)")]
    [TestCase("KEY=a|b;c`d`(e)<f>*[g]{h}", "a|b;c`d`(e)<f>*[g]{h}")]
    [TestCase("KEY=$(rm -rf /)", "$(rm -rf /)")]
    // Comments and '#'
    [TestCase("KEY=value # a comment", "value")]
    [TestCase("KEY=value#not-a-comment", "value#not-a-comment")]
    [TestCase("KEY=\"value # kept\" # dropped", "value # kept")]
    [TestCase("KEY='#kept'", "#kept")]
    [TestCase("# KEY=commented\nKEY=real", "real")]
    // Single quotes: literal
    [TestCase("KEY='$HOME_DIR'", "$HOME_DIR")]
    [TestCase("KEY='a\\nb'", "a\\nb")]
    [TestCase("KEY='it\\'s'", "it's")]
    [TestCase("KEY='double \" inside'", "double \" inside")]
    // Double quotes: escapes and expansion
    [TestCase("KEY=\"a\\nb\"", "a\nb")]
    [TestCase("KEY=\"tab\\there\"", "tab\there")]
    [TestCase("KEY=\"say \\\"hi\\\"\"", "say \"hi\"")]
    [TestCase("KEY=\"back\\\\slash\"", "backslash")]
    [TestCase("KEY=\"\\$HOME_DIR\"", "$HOME_DIR")]
    [TestCase("KEY=\"$HOME_DIR/x\"", "/home/ci/x")]
    [TestCase("KEY=\"${HOME_DIR}\"", "/home/ci")]
    [TestCase("KEY=\"\\0101\"", "A")]
    [TestCase("KEY=\"single ' inside\"", "single ' inside")]
    // Dollars
    [TestCase("KEY=$HOME_DIR", "/home/ci")]
    [TestCase("KEY=${HOME_DIR}/data", "/home/ci/data")]
    [TestCase("KEY=price$$5", "price$5")]
    [TestCase("KEY=cost$", "cost$")]
    [TestCase("KEY=a$ b", "a$ b")]
    [TestCase("KEY=$UNSET_VARIABLE", "")]
    [TestCase("KEY=${UNSET_VARIABLE:-fallback}", "fallback")]
    [TestCase("KEY=${UNSET_VARIABLE-fallback}", "fallback")]
    [TestCase("KEY=${HOME_DIR:+set}", "set")]
    [TestCase("KEY=${UNSET_VARIABLE:+set}", "")]
    [TestCase("KEY=${UNSET_VARIABLE:-${HOME_DIR}}", "/home/ci")]
    // JSON lists and objects
    [TestCase("KEY=[\"http://localhost:3000\",\"https://a.b\"]", "[\"http://localhost:3000\",\"https://a.b\"]")]
    [TestCase("KEY='{\"a\": 1}'", "{\"a\": 1}")]
    [TestCase("KEY=${UNSET_VARIABLE:-[\"http://localhost:3000\"]}", "[\"http://localhost:3000\"]")]
    // Line endings
    [TestCase("KEY=crlf\r\nOTHER=x\r\n", "crlf")]
    [TestCase("KEY=\"quoted crlf\"\r\n", "quoted crlf")]
    public void ReadsAsComposeDoes(string text, string expected) => Assert.That(Value(text), Is.EqualTo(expected));

    [Test]
    public void MultiLineDoubleQuotedValue() =>
        Assert.That(Value("KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nNEXT=1"), Is.EqualTo("-----BEGIN KEY-----\nabc\n-----END KEY-----"));

    [Test]
    public void MultiLineSingleQuotedValue() => Assert.That(Value("KEY='line one\nline two'"), Is.EqualTo("line one\nline two"));

    [Test]
    public void ExpansionSeesEarlierLines() => Assert.That(Value("BASE=/srv\nKEY=${BASE}/app"), Is.EqualTo("/srv/app"));

    [Test]
    public void ExpansionPrefersTheProcessEnvironmentOverEarlierLines() =>
        Assert.That(Value("HOME_DIR=/from/file\nKEY=$HOME_DIR"), Is.EqualTo("/home/ci"));

    [Test]
    public void ExpansionDoesNotSeeLaterLines() => Assert.That(Value("KEY=${LATER:-none}\nLATER=x"), Is.EqualTo("none"));

    [Test]
    public void ABareNameIsInheritedFromTheProcessEnvironment()
    {
        var values = Read("FROM_SHELL\nNOT_IN_SHELL\nKEY=1");
        Assert.That(values["FROM_SHELL"], Is.EqualTo("shell-value"));
        Assert.That(values.ContainsKey("NOT_IN_SHELL"), Is.False);
    }

    [Test]
    public void TheLastDefinitionWins() => Assert.That(Value("KEY=first\nKEY=second"), Is.EqualTo("second"));

    [Test]
    public void NamesMayHoldDotsAndDashes() => Assert.That(Read("my.app-key=1")["my.app-key"], Is.EqualTo("1"));

    [Test]
    public void LinesAreRecorded()
    {
        var variables = DotEnvReader.Parse("# header\n\nA=1\nB=\"two\nlines\"\nC=3", ".env", _ => null);
        Assert.That(variables.Select(v => (v.Name, v.Line)), Is.EqualTo(new[] { ("A", 3), ("B", 4), ("C", 6) }));
    }

    [TestCase("A=1\nKEY=\"unterminated\nB=2", 2, 5, "KEY: a quoted value that never ends")]
    [TestCase("A=1\n\nBAD KEY=1", 3, 4, "a variable name cannot hold a space")]
    [TestCase("KEY$=1", 1, 4, "a character a variable name cannot hold")]
    [TestCase("A=1\nsource .env", 2, 7, "a variable name cannot hold a space")]
    [TestCase("A=1\nKEY='open", 2, 5, "KEY: a quoted value that never ends")]
    [TestCase("A=1\nB=2\nKEY=${UNSET_VARIABLE:?must be set}", 3, 5, "KEY: a ${NAME:?…} reference whose variable is missing a value")]
    [TestCase("KEY=${1BAD}", 1, 5, "KEY: a '${' not followed by a variable name")]
    [TestCase("KEY=${OPEN", 1, 5, "KEY: a '${' without its closing '}'")]
    [TestCase("=value", 1, 1, "expected a variable name")]
    public void SyntaxErrorsNameFileLineColumnVariableAndRule(string text, int line, int column, string problem)
    {
        var error = Assert.Throws<EnvFileSyntaxException>(() => DotEnvReader.Parse(text, "envs/.env.prod", _ => null));
        Assert.That((error!.Line, error.Column), Is.EqualTo((line, column)));
        Assert.That(error.Message, Does.StartWith($"envs/.env.prod:{line}:{column}: ").And.Contain(problem));
    }

    [TestCase("API$KEY=s3cr3t-value-never-shown")]
    [TestCase("KEY=\"s3cr3t-value-never-shown${1BAD}\"")]
    [TestCase("KEY=s3cr3t-value-never-shown${OPEN")]
    [TestCase("KEY=s3cr3t-value-never-shown${A:x}")]
    [TestCase("KEY=ab${s3cr3t-value-never-shown}")]
    [TestCase("KEY='s3cr3t-value-never-shown")]
    [TestCase("TOKEN=s3cr3t${s3cr3t:?s3cr3t}")]
    [TestCase("TLS_KEY=-----BEGIN PRIVATE KEY-----\nMIIEvQs3cr3tIBADANBgkqhkiG9w0+BAQEFAASC\n-----END PRIVATE KEY-----")]
    [TestCase("A=1\ns3cr3t words under no name")]
    public void SyntaxErrorsNeverShowTheValue(string text)
    {
        foreach (var rules in new[] { DotEnvRules.ComposeV2, DotEnvRules.ComposeV1 })
        {
            try
            {
                DotEnvReader.Parse(text, ".env", _ => null, rules);
            }
            catch (EnvFileSyntaxException error)
            {
                Assert.That(error.Message, Does.Not.Contain("s3cr3t").And.Not.Contain("MIIEv"), rules.ToString());
            }
        }
    }

    [Test]
    public void TheExampleEnvFileReadsItsPasswordBackExactly()
    {
        var path = Path.Combine(Support.SuiteRun.RepositoryRoot, "examples", "octavios", "envs", ".env.local");
        var values = DotEnvReader.ReadFile(path, _ => null).ToDictionary(v => v.Name, v => v.Value);
        Assert.That(values["DATABASE_PASSWORD"], Is.EqualTo("YOUR_PASSWORD_WITH_SPECIAL_CHARS&?!)"));
    }
}
