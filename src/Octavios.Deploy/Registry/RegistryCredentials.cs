namespace Octavios.Deploy.Registry;

/// <summary>Registry credentials; the password is a secret everywhere (never in ToString, logs or commands).</summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    /// <summary>REGISTRY_USERNAME / REGISTRY_PASSWORD, when both are set.</summary>
    public static RegistryCredentials? FromEnvironment(Func<string, string?> variables) =>
        variables("REGISTRY_USERNAME") is { Length: > 0 } user && variables("REGISTRY_PASSWORD") is { Length: > 0 } password
            ? new RegistryCredentials(user, password)
            : null;

    public override string ToString() => $"{Username}:***";
}
