using Octavios.Deploy.Commands;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Execution;

namespace Octavios.Deploy.EnvFiles;

/// <summary>
/// An age-encrypted env file edited in place: decrypted into a private temporary file (0600, in a 0700 directory of its
/// own) only for as long as $EDITOR has it open, checked, and encrypted again to the same recipients. The plaintext is
/// removed on every way out: a save, a refusal, a failure, Ctrl-C.
/// </summary>
public sealed class AgeFileEditor(EnvSourceConfig source, SuiteConfig config, EnvSourceReader reader, ICommandRunner local, Func<string, string?> variables)
{
    /// <summary>What happened, in a line; throws <see cref="DeployInputException"/> when the edit is refused.</summary>
    public async Task<string> EditAsync(CancellationToken cancellation)
    {
        var age = source.Age ?? throw new DeployInputException("--edit works on an environment whose envSource is an age file.");
        var editor = variables("VISUAL") is { Length: > 0 } visual ? visual : variables("EDITOR") is { Length: > 0 } chosen ? chosen
            : throw new DeployInputException("--edit opens $VISUAL or $EDITOR: set one (e.g. EDITOR=vi).");
        var recipients = await RecipientsAsync(cancellation);
        var before = await reader.DecryptAsync(cancellation);
        // mkdtemp: a new directory only its owner may enter (0700).
        var directory = Directory.CreateTempSubdirectory("octavios-edit-");
        try
        {
            var plain = Path.Combine(directory.FullName, Path.GetFileNameWithoutExtension(age));
            await using (var file = new FileStream(plain, new FileStreamOptions
                         {
                             Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                         }))
            await using (var writer = new StreamWriter(file))
                await writer.WriteAsync(before);

            await RunEditorAsync(editor, plain, cancellation);
            var after = await File.ReadAllTextAsync(plain, cancellation);
            if (after == before) return $"{age}: no change, not encrypted again";
            try
            {
                DotEnvReader.Parse(after, age, _ => null);
            }
            catch (EnvFileSyntaxException error)
            {
                throw new DeployInputException($"The edited file is not an env file ({error.Message}): not encrypted; {age} is unchanged.");
            }

            // Written beside the file, then renamed over it: the file is always the old one or the new one, whole.
            var target = config.ResolvePath(age);
            var next = target + ".next";
            var encrypted = await local.TryRunAsync(EnvSourceCommands.AgeEncrypt(recipients, next, after, TimeSpan.FromSeconds(source.TimeoutSeconds)), cancellation);
            if (!encrypted.Succeeded)
            {
                File.Delete(next);
                throw new EnvSourceException($"age could not encrypt the edited file ({EnvSourceReader.Reason(encrypted.StandardError)}): {age} is unchanged.");
            }

            File.Move(next, target, overwrite: true);
            return $"{age}: encrypted again to {recipients.Count} recipient(s)";
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The configured recipients, else the public key of the identity that decrypts.</summary>
    private async Task<IReadOnlyList<string>> RecipientsAsync(CancellationToken cancellation)
    {
        if (source.Recipients.Count > 0) return source.Recipients;
        var identity = reader.Identity();
        var key = await local.TryRunAsync(EnvSourceCommands.AgeRecipientOf(identity), cancellation);
        return key.Succeeded && key.StandardOutput.Trim() is { Length: > 0 } recipient
            ? [recipient]
            : throw new EnvSourceException($"No recipients to encrypt to: envSource.recipients is empty and age-keygen -y {identity} failed ({EnvSourceReader.Reason(key.StandardError)}).");
    }

    /// <summary>The editor on this terminal; Ctrl-C stops it, and the plaintext goes with it.</summary>
    private static async Task RunEditorAsync(string editor, string file, CancellationToken cancellation)
    {
        // $EDITOR may carry arguments ("code --wait"): the shell splits it, the file is passed apart.
        var exit = await AttachedProcess.RunAsync(new Command("sh", ["-c", editor + " \"$1\"", "sh", file]), cancellation);
        if (exit != 0) throw new DeployInputException($"The editor '{editor}' exited with code {exit}: nothing was encrypted.");
    }
}
