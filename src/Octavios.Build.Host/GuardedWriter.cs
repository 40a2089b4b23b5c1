using System.Text;

namespace Octavios.Build.Host;

/// <summary>What every byte the host writes to the console passes through: a filter for text, one for the suite's own command lines.</summary>
public sealed record OutputFilter(Func<string, string> Text, Func<string, string> CommandLine);

/// <summary>
/// Standard output or error as the host installs it: whole lines go out through the filter (so a secret written in
/// pieces is still seen whole); a partial line waits for its end, a flush or the end of the run.
/// <see cref="WriteCommandLine"/> is the one way to write a line the filter would otherwise disarm.
/// </summary>
public sealed class GuardedWriter(TextWriter inner, OutputFilter filter) : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly Lock _gate = new();

    public TextWriter Inner => inner;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _pending.Append(value);
            if (value == '\n') Emit(_pending.Length);
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_gate)
        {
            _pending.Append(value);
            var end = value.LastIndexOf('\n');
            if (end >= 0) Emit(_pending.Length - (value.Length - end - 1));
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");

    public override void WriteLine() => Write("\n");

    /// <summary>A line the suite wrote as a command to the CI runner (a group, an annotation): masked, not disarmed.</summary>
    public void WriteCommandLine(string line)
    {
        lock (_gate)
        {
            Emit(_pending.Length);
            inner.Write(filter.CommandLine(line) + "\n");
            inner.Flush();
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            Emit(_pending.Length);
            inner.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    private void Emit(int length)
    {
        if (length == 0) return;
        var text = _pending.ToString(0, length);
        _pending.Remove(0, length);
        inner.Write(filter.Text(text));
        if (_pending.Length == 0) inner.Flush();
    }
}
