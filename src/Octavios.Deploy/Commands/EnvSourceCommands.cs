namespace Octavios.Deploy.Commands;

/// <summary>
/// The local commands that read an environment's env file from where it is kept (an age file, a password manager):
/// their output is the secrets themselves, never masked away from the caller and never logged.
/// </summary>
public static class EnvSourceCommands
{
    /// <summary>The decrypted file on standard output, never on disk.</summary>
    public static Command AgeDecrypt(string file, string identity, TimeSpan timeout) =>
        new("age", ["--decrypt", "--identity", identity, file]) { Title = $"age --decrypt {file}", Timeout = timeout, SensitiveOutput = true };

    /// <summary>The plaintext goes in on standard input; the ciphertext to <paramref name="output"/>.</summary>
    public static Command AgeEncrypt(IEnumerable<string> recipients, string output, string plaintext, TimeSpan timeout) =>
        new("age", [.. recipients.SelectMany(r => new CommandArg[] { "--recipient", r }), "--output", output])
        {
            Title = $"age --encrypt {output}",
            StandardInput = CommandArg.Secret(plaintext),
            Timeout = timeout,
        };

    /// <summary>The public key (age1...) of an identity file, to encrypt again to whoever decrypted.</summary>
    public static Command AgeRecipientOf(string identity) =>
        new("age-keygen", ["-y", identity]) { Title = "age-keygen -y", Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A command of the configuration (a whole env file, or one variable's value), run by sh in the configuration's folder.</summary>
    public static Command Source(string command, string what, TimeSpan timeout) =>
        new("sh", ["-c", command]) { Title = what, Timeout = timeout, SensitiveOutput = true };
}
