using Octavios.Deploy.Configuration;
using Octavios.Deploy.EnvFiles;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>
/// env.required and env.secret-length: the incident where secrets never reached the containers; env.compose-versions:
/// a value Compose v1 and v2 read differently (a password with a '$' reached the container whole under v1).
/// </summary>
public static class EnvFileChecks
{
    public static IEnumerable<Finding> Run(LoadedEnvFile? envFile, string? expectedPath, ValidationConfig rules)
    {
        if (envFile is null)
        {
            if (expectedPath is not null)
                yield return Finding.Error("env.file", $"env file {expectedPath} was not found: copy envs/.env.prod.example there and fill it in");
            yield break;
        }

        foreach (var name in rules.RequiredVariables.Concat(rules.Secrets).Distinct())
        {
            if (string.IsNullOrEmpty(envFile[name]))
                yield return Finding.Error("env.required", $"{name} is {(envFile[name] is null ? "not defined" : "empty")} in {envFile.Label}: add it");
        }

        foreach (var name in rules.Secrets)
        {
            if (envFile[name] is { Length: > 0 } value && value.Length < rules.MinSecretLength)
                yield return Finding.Error("env.secret-length",
                    $"{name} is {value.Length} characters in {envFile.Label}; a secret needs at least {rules.MinSecretLength} (e.g. openssl rand -hex 32)");
        }

        foreach (var name in envFile.ReadDifferently())
            yield return Finding.Warning("env.compose-versions",
                $"{name} in {envFile.Label} reads differently in Compose v1 and v2 (this target: {envFile.RulesName}): its value changes the day the target's Compose does. " +
                "Put it in single quotes without '${' (a literal '$' stays as written in both), or write $$ only if the target keeps Compose v2");
    }
}
