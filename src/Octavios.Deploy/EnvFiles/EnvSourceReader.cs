using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// Reads an environment's env file from its <see cref="EnvSourceConfig"/> into memory, never into a file of this
/// machine: the age file decrypted, or the command's output, then each variable's own command merged over it. Each
/// value is handed to <paramref name="learnSecret"/> as soon as it is read, so no later output shows it.
/// </summary>
public sealed class EnvSourceReader(EnvSourceConfig source, SuiteConfig config, ICommandRunner local, Func<string, string?> variables, Action<string> learnSecret)
{
    public const string IdentityVariable = "DEPLOY_AGE_IDENTITY";

    /// <summary>How the source is named in output: the encrypted file, or the configuration's keys.</summary>
    public static string Describe(EnvSourceConfig source) =>
        source.Age is { } age ? $"{age} (age)" : source.Command is not null ? "envSource.command" : "envSource.variables";

    private TimeSpan Timeout => TimeSpan.FromSeconds(source.TimeoutSeconds);

    public async Task<string> ReadAsync(CancellationToken cancellation)
    {
        var text = source.Age is not null ? await DecryptAsync(cancellation)
            : source.Command is { } command ? await RunAsync(EnvSourceCommands.Source(command, "envSource.command", Timeout), "envSource.command", command, cancellation)
            : "";
        LearnValuesOf(text);
        foreach (var (name, variable) in source.Variables)
        {
            var what = $"envSource.variables.{name}";
            var value = await RunAsync(EnvSourceCommands.Source(variable.Command, what, Timeout), what, variable.Command, cancellation);
            value = value.EndsWith('\n') ? value[..^1] : value;
            if (value.Length == 0) throw new EnvSourceException($"{what} failed: `{variable.Command}` printed nothing: {name} would be empty.");
            learnSecret(value);
            text = EnvAssignment.Append(text, name, value);
        }

        return text;
    }

    /// <summary>The identity file: DEPLOY_AGE_IDENTITY, else envSource.identity (relative to the configuration's folder, or ~/...).</summary>
    public string Identity() =>
        (variables(IdentityVariable) is { Length: > 0 } fromEnvironment ? Resolve(fromEnvironment) : source.Identity is { } configured ? Resolve(configured) : null)
        ?? throw new EnvSourceException($"envSource.age: no identity to decrypt {source.Age} with: set {IdentityVariable} to an age identity file, or envSource.identity.");

    private string Resolve(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : config.ResolvePath(path);

    /// <summary>The age file alone, decrypted into memory (its variables' own sources not merged).</summary>
    public async Task<string> DecryptAsync(CancellationToken cancellation)
    {
        var age = source.Age ?? throw new EnvSourceException("envSource has no age file.");
        var file = config.ResolvePath(age);
        if (!File.Exists(file)) throw new EnvSourceException($"envSource.age: {age} does not exist (give the age-encrypted env file, relative to {config.BaseDirectory}).");
        var identity = Identity();
        if (!File.Exists(identity)) throw new EnvSourceException($"envSource.age: the age identity {identity} does not exist (set {IdentityVariable} or envSource.identity).");
        var result = await local.TryRunAsync(EnvSourceCommands.AgeDecrypt(file, identity, Timeout), cancellation);
        if (result.ExitCode == 127) throw new EnvSourceException("envSource.age: the age CLI is not installed here (Debian/Ubuntu: apt-get install age).");
        if (!result.Succeeded)
            throw new EnvSourceException($"envSource.age: {age} could not be decrypted with the identity {identity}: {Reason(result.StandardError)}");
        return result.StandardOutput;
    }

    private async Task<string> RunAsync(Command command, string what, string written, CancellationToken cancellation)
    {
        CommandResult result;
        try
        {
            result = await local.TryRunAsync(command, cancellation);
        }
        catch (CommandTimedOutException)
        {
            throw new EnvSourceException($"{what} failed: `{written}` did not finish within {source.TimeoutSeconds}s (envSource.timeoutSeconds) and was stopped.");
        }

        // Its standard output is the secret itself: never shown; its error output, masked, says why.
        return result.Succeeded ? result.StandardOutput
            : throw new EnvSourceException($"{what} failed: `{written}` exited with code {result.ExitCode}: {Reason(result.StandardError)}");
    }

    /// <summary>Every value of the file a source gave is a secret; a file that does not parse is reported where it is read, its values masked by shape.</summary>
    private void LearnValuesOf(string text)
    {
        try
        {
            foreach (var variable in DotEnvReader.Parse(text, "envSource", _ => null)) learnSecret(variable.Value);
        }
        catch (EnvFileSyntaxException)
        {
        }
    }

    /// <summary>What a failed command said: its line naming an error (age adds a line of its own after it), else its last.</summary>
    public static string Reason(string standardError)
    {
        var lines = standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.LastOrDefault() ?? "it said nothing";
    }
}

/// <summary>
/// An env file's source could not be read: the message names the source, the command or file, and why; never a value.
/// Never "NAME: text" either, which masking takes for a credential's value.
/// </summary>
public sealed class EnvSourceException(string message) : Exception(message);
