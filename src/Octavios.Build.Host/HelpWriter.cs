using System.Text;

namespace Octavios.Build.Host;

/// <summary>--help: every target with its description and dependencies, every argument with its environment variable.</summary>
public static class HelpWriter
{
    public static string Write(string program, TaskCatalog catalog, IReadOnlyList<ArgumentDefinition> arguments)
    {
        var text = new StringBuilder();
        text.AppendLine($"Usage: {program} [--target=NAME] [--name=value ...]");
        text.AppendLine();
        text.AppendLine("Targets (default: " + CommandLine.DefaultTarget + "):");
        var width = catalog.Tasks.Max(t => t.Name.Length) + 2;
        foreach (var task in catalog.Tasks.OrderBy(t => t.Name))
        {
            text.AppendLine($"  {task.Name.PadRight(width)}{task.Description}");
            var dependencies = catalog.DependenciesOf(task).ToList();
            if (dependencies.Count > 0)
                text.AppendLine($"  {"".PadRight(width)}  depends on: {string.Join(", ", dependencies)}");
            if (task.RequiredArguments.Count > 0)
                text.AppendLine($"  {"".PadRight(width)}  requires: {string.Join(", ", task.RequiredArguments.Select(a => "--" + a))}");
        }

        text.AppendLine();
        text.AppendLine("Arguments (command line, else environment variable, else cake.config [Octavios], else default):");
        foreach (var argument in arguments)
        {
            var form = argument.IsFlag ? $"--{argument.Name}" : $"--{argument.Name}=VALUE";
            text.AppendLine($"  {form}");
            text.AppendLine($"      {argument.Description}");
            text.AppendLine($"      env: {argument.EnvironmentVariable}" +
                            (argument.DefaultValue is null ? "" : $"   default: {argument.DefaultValue}"));
        }

        text.AppendLine();
        text.AppendLine("Cake options:");
        text.AppendLine("  --target, -t NAME      target to run (repeatable)");
        text.AppendLine("  --exclusive, -e        run the target alone, without its dependencies");
        text.AppendLine("  --dryrun               walk the graph and print every command it would run, secrets masked; run none");
        text.AppendLine("  --tree                 show the dependency tree of the target");
        text.AppendLine("  --description          list the targets with their descriptions");
        text.AppendLine("  --verbosity, -v LEVEL  quiet, minimal, normal, verbose or diagnostic");
        text.AppendLine("  --working, -w DIR      working directory (where cake.config is read)");
        text.AppendLine("  --info                 the suite's own version");
        text.AppendLine("  --help                 this text");
        text.AppendLine();
        text.AppendLine($"Exit codes: {ExitCodes.Success} success, {ExitCodes.Failed} a task failed, {ExitCodes.BadInput} bad input (arguments or configuration); nothing ran.");
        return text.ToString();
    }
}
