namespace Octavios.Deploy.Commands;

/// <summary>One argument; a secret one is shown as *** wherever a command is displayed, a bulk one (a file's content) by its length.</summary>
public sealed record CommandArg(string Value, bool IsSecret = false, bool IsBulk = false)
{
    public const string Mask = "***";

    public static implicit operator CommandArg(string value) => new(value);

    public static CommandArg Secret(string value) => new(value, true);

    public static CommandArg Bulk(string value) => new(value, IsBulk: true);

    public string Display => IsSecret ? Mask : IsBulk ? $"({Value.Length} characters)" : Value;
}

/// <summary>
/// A process invocation as a value: program, arguments, environment, working directory and standard input.
/// Built by the *Commands classes, run by an <see cref="Execution.ICommandRunner"/>, never a shell string.
/// </summary>
public sealed record Command(string Program, IReadOnlyList<CommandArg> Args)
{
    public IReadOnlyDictionary<string, CommandArg> Environment { get; init; } = new Dictionary<string, CommandArg>();

    /// <summary>Relative to the target's project directory, or absolute; null means the project directory itself.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>One of the deploy lock's own commands (take, read, beat, release, break), which a fence never guards.</summary>
    public bool IsLockCommand { get; init; }

    /// <summary>False for the few commands that run before the project directory exists (Setup creates it).</summary>
    public bool NeedsProjectDirectory { get; init; } = true;

    public CommandArg? StandardInput { get; init; }

    /// <summary>The output holds secrets (an env file, a credential): runners never log it.</summary>
    public bool SensitiveOutput { get; init; }

    /// <summary>A short human description shown before the command runs, e.g. "build backend".</summary>
    public string? Title { get; init; }

    /// <summary>How long the command may run before it is killed (with its process group); null: the runner's default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>What runners allow a command that names no timeout of its own.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Secrets =>
        Args.Concat(Environment.Values).Append(StandardInput).OfType<CommandArg>()
            .Where(a => a.IsSecret && a.Value.Length > 0).Select(a => a.Value);

    /// <summary>
    /// This command, then <paramref name="next"/> if it succeeded, in one round trip; standard input goes to this one.
    /// Only for commands without secret arguments (the second line travels inside the first's script).
    /// </summary>
    public Command Then(Command next)
    {
        if (Args.Concat(Environment.Values).Any(a => a.IsSecret) || next.Secrets.Any() || next.StandardInput is not null)
            throw new ArgumentException("Then joins commands without secret arguments, the second without standard input.");
        return this with
        {
            Program = "sh",
            Args = ["-c", ToShellLine() + " && " + next.ToShellLine()],
            Environment = new Dictionary<string, CommandArg>(),
            WorkingDirectory = null,
            Title = Title,
            Timeout = (Timeout ?? DefaultTimeout) + (next.Timeout ?? DefaultTimeout),
        };
    }

    /// <summary>The command as a POSIX shell line with secrets masked: safe for logs, dry runs and errors.</summary>
    public string Display() => Render(masked: true);

    /// <summary>The command as a POSIX shell line, every value quoted, without its standard input; holds secret arguments, so only for a remote shell.</summary>
    public string ToShellLine() => Render(masked: false);

    private string Render(bool masked)
    {
        string Show(CommandArg arg) => masked && (arg.IsSecret || arg.IsBulk) ? arg.Display : ShellQuote.Quote(arg.Value);
        var parts = new List<string>();
        if (Environment.Count > 0)
        {
            parts.Add("env");
            parts.AddRange(Environment.Select(e => ShellQuote.Quote(e.Key + "=") + Show(e.Value)));
        }

        parts.Add(ShellQuote.Quote(Program));
        parts.AddRange(Args.Select(Show));
        var line = string.Join(' ', parts);
        if (WorkingDirectory is not null) line = $"cd {ShellQuote.Quote(WorkingDirectory)} && {line}";
        // Standard input travels beside the command (a pipe, or the SSH channel), never inside the line.
        return masked && StandardInput is { } input ? $"{line} (stdin: {(input.IsSecret ? CommandArg.Mask : $"{input.Value.Length} characters")})" : line;
    }
}
