using System.Text.RegularExpressions;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Host;

/// <summary>README's table of arguments says what the suite's one declaration of each argument says (BuildArguments.All, which --help prints).</summary>
public class ReadmeArgumentsTests
{
    private static IReadOnlyList<(string Name, string Variable, string Default)> Rows()
    {
        var readme = File.ReadAllText(Path.Combine(SuiteRun.RepositoryRoot, "README.md"));
        var table = readme[readme.IndexOf("### Arguments", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("Cake's options", StringComparison.Ordinal)];
        return table.Split('\n')
            .Select(line => Regex.Match(line, @"^\| `--(?<name>[a-z-]+)[^`]*` \| `(?<variable>[A-Z_]+)` \|(?<default>[^|]*)\|"))
            .Where(m => m.Success)
            .Select(m => (m.Groups["name"].Value, m.Groups["variable"].Value, m.Groups["default"].Value.Trim()))
            .ToList();
    }

    [Test]
    public void EveryArgumentIsInTheTableOnceWithItsVariableAndDefault()
    {
        var rows = Rows();
        Assert.That(rows.Select(r => r.Name), Is.EquivalentTo(BuildArguments.All.Select(a => a.Name)), "one row per declared argument, no other");
        foreach (var argument in BuildArguments.All)
        {
            var row = rows.Single(r => r.Name == argument.Name);
            Assert.That(row.Variable, Is.EqualTo(argument.EnvironmentVariable), argument.Name);
            if (argument.DefaultValue is { } value) Assert.That(row.Default, Does.StartWith($"`{value}`"), argument.Name);
        }
    }
}
