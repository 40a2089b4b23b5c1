using Octavios.Deploy.Compose;
using Octavios.Deploy.EnvFiles;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>compose.variables: every ${VAR} the compose files use is set or has a default (Compose only warns, then runs with "").</summary>
public static class ComposeVariables
{
    public static IEnumerable<Finding> Run(IReadOnlyList<ComposeFile> files, Func<string, string?> lookup)
    {
        var reported = new HashSet<string>();
        foreach (var file in files)
        {
            foreach (var (line, text) in file.AllScalars())
            {
                string? problem = null;
                try
                {
                    var missing = new List<string>();
                    Interpolation.Substitute(text, lookup, missing);
                    if (missing.Count > 0) problem = $"uses ${{{missing[0]}}}, which is not set and has no default: define it in the env file or give a default";
                }
                catch (InterpolationException error)
                {
                    problem = error.Message;
                }

                if (problem is not null && reported.Add($"{file.Name}:{line}"))
                    yield return Finding.Error("compose.variables", $"{file.Name}:{line}: {problem}");
            }
        }
    }
}
