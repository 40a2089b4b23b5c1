using System.Text;
using System.Text.RegularExpressions;

namespace Octavios.Build.Host;

/// <summary>
/// <c>--completion=bash|zsh|powershell</c>: a script completing the targets, every argument and the values known when it
/// is written (the configuration's services and environments): fixed lists, so a Tab never starts .NET.
/// </summary>
public static partial class ShellCompletion
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "powershell"];

    /// <summary>The host's own options, as <see cref="CommandLine"/> reads them.</summary>
    private static readonly string[] HostOptions = ["--target=", "--verbosity=", "--working=", "--exclusive", "--dryrun", "--tree", "--description", "--info", "--help", "--completion="];

    /// <summary>Arguments whose value is a comma-separated list: each item is completed.</summary>
    private static readonly HashSet<string> Lists = ["--services", "--hosts"];

    /// <param name="values">Known values by argument name without dashes (services, env...); the host adds target, verbosity and completion.</param>
    public static string Write(string shell, string program, IEnumerable<string> targets, IReadOnlyList<ArgumentDefinition> arguments,
        IReadOnlyDictionary<string, IReadOnlyList<string>> values)
    {
        var options = HostOptions.Concat(arguments.Select(a => a.IsFlag ? $"--{a.Name}" : $"--{a.Name}=")).Distinct().ToList();
        var known = new Dictionary<string, IReadOnlyList<string>>(values.Where(v => v.Value.Count > 0).ToDictionary(v => "--" + v.Key, v => (IReadOnlyList<string>)Plain(v.Value)))
        {
            ["--target"] = Plain(targets.Order(StringComparer.Ordinal)),
            ["--verbosity"] = ["quiet", "minimal", "normal", "verbose", "diagnostic"],
            ["--completion"] = Shells,
        };
        var commands = new[] { Path.GetFileName(program), "./" + Path.GetFileName(program) }.Distinct().ToList();
        return shell switch
        {
            "bash" => Bash(commands, options, known),
            "zsh" => "# zsh completion for " + program + " (Octavios.Build): source it from ~/.zshrc\n" +
                     "autoload -U +X bashcompinit && bashcompinit\n" + Bash(commands, options, known),
            "powershell" => PowerShell(Path.ChangeExtension(Path.GetFileName(program), ".ps1"), options, known),
            _ => throw new BuildInputException($"--completion={shell}: no such shell; use one of {string.Join(", ", Shells)}."),
        };
    }

    /// <summary>Values that need no quoting in any of the scripts: others (an IPv6 host in brackets) are left out.</summary>
    private static List<string> Plain(IEnumerable<string> values) => values.Where(v => PlainValue().IsMatch(v)).Distinct().ToList();

    [GeneratedRegex(@"\A[A-Za-z0-9._:@/+-]+\z")]
    private static partial Regex PlainValue();

    private static string Bash(IReadOnlyList<string> commands, IReadOnlyList<string> options, IReadOnlyDictionary<string, IReadOnlyList<string>> known)
    {
        var text = new StringBuilder();
        text.AppendLine($"# bash completion for {commands[0]} (Octavios.Build): source it, or save it as ~/.local/share/bash-completion/completions/{commands[0]}");
        text.AppendLine("_octavios_build() {");
        // The word is cut from the line itself: bash splits --name=value at '=' unless COMP_WORDBREAKS lacks it (zsh has none).
        text.AppendLine("  local line=\"${COMP_LINE:0:COMP_POINT}\" word name value list values");
        text.AppendLine("  word=\"${line##*[[:space:]]}\"");
        text.AppendLine("  COMPREPLY=()");
        text.AppendLine("  case \"$word\" in");
        text.AppendLine("    --*=*) name=\"${word%%=*}\"; value=\"${word#*=}\" ;;");
        text.AppendLine($"    -*) COMPREPLY=($(compgen -W \"{string.Join(' ', options)}\" -- \"$word\"))");
        text.AppendLine("        [[ ${#COMPREPLY[@]} -ne 1 || ${COMPREPLY[0]} != *= ]] || { type compopt > /dev/null 2>&1 && compopt -o nospace; }");
        text.AppendLine("        return ;;");
        text.AppendLine("    *) return ;;");
        text.AppendLine("  esac");
        text.AppendLine("  case \"$name\" in");
        foreach (var (name, values) in known.OrderBy(k => k.Key, StringComparer.Ordinal))
            text.AppendLine($"    {name}) values=\"{string.Join(' ', values)}\" ;;");
        text.AppendLine("    *) return ;;");
        text.AppendLine("  esac");
        text.AppendLine("  list=");
        text.AppendLine($"  case \"$name\" in {string.Join('|', Lists)}) [[ $value != *,* ]] || {{ list=\"${{value%,*}},\"; value=\"${{value##*,}}\"; }} ;; esac");
        text.AppendLine("  COMPREPLY=($(compgen -P \"$list\" -W \"$values\" -- \"$value\"))");
        text.AppendLine("  [[ ${COMP_WORDBREAKS-} == *=* ]] || COMPREPLY=(\"${COMPREPLY[@]/#/$name=}\")");
        text.AppendLine("}");
        text.AppendLine($"complete -F _octavios_build {string.Join(' ', commands)}");
        return text.ToString();
    }

    private static string PowerShell(string script, IReadOnlyList<string> options, IReadOnlyDictionary<string, IReadOnlyList<string>> known)
    {
        static string Array(IEnumerable<string> items) => "@(" + string.Join(", ", items.Select(i => $"'{i}'")) + ")";
        var text = new StringBuilder();
        text.AppendLine($"# PowerShell completion for {script} (Octavios.Build): dot-source it from $PROFILE");
        text.AppendLine($"Register-ArgumentCompleter -Native -CommandName {Array([script, "./" + script, ".\\" + script])} -ScriptBlock {{");
        text.AppendLine("    param($wordToComplete, $commandAst, $cursorPosition)");
        // The word is cut from the line itself, as in bash: PowerShell splits --services=a,b at the comma (an array).
        text.AppendLine("    $line = $commandAst.Extent.Text.Substring(0, [Math]::Min($commandAst.Extent.Text.Length, $cursorPosition - $commandAst.Extent.StartOffset))");
        text.AppendLine("    $word = ($line -split '\\s+')[-1]");
        text.AppendLine("    $cut = [Math]::Max(0, $word.Length - $wordToComplete.Length)");
        text.AppendLine("    $values = @{");
        foreach (var (name, values) in known.OrderBy(k => k.Key, StringComparer.Ordinal))
            text.AppendLine($"        '{name}' = {Array(values)}");
        text.AppendLine("    }");
        text.AppendLine($"    $lists = {Array(Lists)}");
        text.AppendLine("    if ($word -match '^(--[^=]+)=(.*)$') {");
        text.AppendLine("        $name = $Matches[1]; $value = $Matches[2]; $list = ''");
        text.AppendLine("        if ($lists -contains $name -and $value.Contains(',')) { $list = $value.Substring(0, $value.LastIndexOf(',') + 1); $value = $value.Substring($value.LastIndexOf(',') + 1) }");
        text.AppendLine("        $candidates = $values[$name] | Where-Object { $_ -like \"$value*\" } | ForEach-Object { \"$name=$list$_\" }");
        text.AppendLine("    } else {");
        text.AppendLine($"        $candidates = {Array(options)} | Where-Object {{ $_ -like \"$word*\" }}");
        text.AppendLine("    }");
        text.AppendLine("    $candidates | ForEach-Object { [System.Management.Automation.CompletionResult]::new($_.Substring($cut), $_, 'ParameterValue', $_) }");
        text.AppendLine("}");
        return text.ToString();
    }
}
