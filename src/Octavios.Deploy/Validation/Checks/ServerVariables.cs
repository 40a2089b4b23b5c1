using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>server.variables: a remote environment knows its server and project directory.</summary>
public static class ServerVariables
{
    public static IEnumerable<Finding> Run(EnvironmentConfig environment, Func<string, string?> variables)
    {
        if (!environment.IsRemote) yield break;
        if (string.IsNullOrEmpty(variables(environment.ServerFrom)))
            yield return Finding.Error("server.variables", $"{environment.ServerFrom} is not set: it names the server (user@host)");
        if (string.IsNullOrEmpty(variables(environment.ProjectDirFrom)))
            yield return Finding.Error("server.variables", $"{environment.ProjectDirFrom} is not set: it names the project directory on the server");
    }
}
