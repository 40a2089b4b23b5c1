using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.Host;

/// <summary>--completion: the scripts load in their shell and complete targets, arguments and the configuration's services.</summary>
public class ShellCompletionTests
{
    private static string Script(string shell)
    {
        var (code, output) = SuiteRun.Run($"--completion={shell}", $"--config={SuiteRun.ExampleConfig}");
        Assert.That(code, Is.Zero, output);
        return output;
    }

    /// <summary>What bash's completion function offers for <paramref name="line"/> (the cursor at its end), '=' a word break or not.</summary>
    private static string Complete(string script, string line, bool equalsBreaksWords = true)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, script);
        try
        {
            var words = "(" + string.Join(' ', line.Split(' ').Select(w => $"'{w}'")) + ")";
            var run = Shell.Run("bash", ["-c",
                $"source '{file}'; COMP_WORDBREAKS=$' \\t\\n\"\\'><;|&(:{(equalsBreaksWords ? "=" : "")}'; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; " +
                $"COMP_WORDS={words}; COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); _octavios_build; printf '%s\\n' \"${{COMPREPLY[@]}}\""]);
            Assert.That(run.ExitCode, Is.Zero, run.StandardError);
            return run.StandardOutput.Trim();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void BashCompletesTargetsArgumentsServicesAndListItems()
    {
        var script = Script("bash");
        Assert.That(Shell.Run("bash", ["-n", "-c", script]).ExitCode, Is.Zero, "bash -n");
        var file = Path.GetTempFileName();
        File.WriteAllText(file, script);
        Assert.That(Shell.Run("bash", ["-c", $"source '{file}' && complete -p ./build.sh build.sh"]).StandardOutput, Does.Contain("-F _octavios_build ./build.sh"));
        File.Delete(file);

        Assert.That(Complete(script, "./build.sh --target=Dep"), Is.EqualTo("Deploy"));
        Assert.That(Complete(script, "./build.sh --target=Dep", equalsBreaksWords: false), Is.EqualTo("--target=Deploy"));
        Assert.That(Complete(script, "./build.sh --target=Deploy --serv"), Is.EqualTo("--services="));
        Assert.That(Complete(script, "./build.sh --services=backend,ban"), Is.EqualTo("backend,bank-advisor"), "the item after the last comma");
        Assert.That(Complete(script, "./build.sh --env=pr").Split('\n'), Does.Contain("prod"));
        Assert.That(Complete(script, "./build.sh --verbosity=diag"), Is.EqualTo("diagnostic"));
        Assert.That(Complete(script, "./build.sh --no-such="), Is.Empty);
    }

    [Test]
    public void ZshAndPowerShellScriptsCarryTheSameLists()
    {
        var zsh = Script("zsh");
        Assert.That(zsh, Does.StartWith("# zsh completion").And.Contain("bashcompinit").And.Contain("--services) values=\"backend web file-manager bank-advisor aletheia proxy all changed\""));
        var powershell = Script("powershell");
        Assert.That(powershell, Does.Contain("'--services' = @('backend', 'web', 'file-manager', 'bank-advisor', 'aletheia', 'proxy', 'all', 'changed')"));

        // PowerShell itself completes with it (TabExpansion2 is what its Tab calls).
        var pwsh = Path.Combine(SuiteRun.RepositoryRoot, ".artifacts", "tools", "pwsh");
        Assert.That(File.Exists(pwsh), Is.True, "PowerShell is installed by .ci/services.sh");
        var file = Path.Combine(Path.GetTempPath(), $"octavios-completion-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(file, powershell);
        try
        {
            string Complete(string line) => Shell.Run(pwsh, ["-NoProfile", "-Command",
                $". '{file}'; (TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches | ForEach-Object CompletionText"]).StandardOutput.Trim();
            Assert.That(Complete("./build.ps1 --target=Dep"), Is.EqualTo("--target=Deploy"));
            // PowerShell reads "backend,ban" as an array: its word is the last item, which the completion replaces.
            Assert.That(Complete("./build.ps1 --services=backend,ban"), Is.EqualTo("bank-advisor"));
            Assert.That(Complete("./build.ps1 --serv"), Is.EqualTo("--services="));
        }
        finally
        {
            File.Delete(file);
        }
        var (code, output) = SuiteRun.Run("--completion=fish");
        Assert.That((code, output), Is.EqualTo((ExitCodes.BadInput, "Error: --completion=fish: no such shell; use one of bash, zsh, powershell.\n")));
    }
}
