namespace Octavios.Deploy.Execution;

/// <summary>Replaces every known secret value with *** in text bound for output.</summary>
public sealed class SecretMasker
{
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Add(string? secret)
    {
        // Very short values would mask ordinary words; Validate insists on long secrets anyway.
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
        lock (_gate) _secrets.Add(secret);
    }

    public string Mask(string text)
    {
        string[] secrets;
        lock (_gate) secrets = _secrets.OrderByDescending(s => s.Length).ToArray();
        foreach (var secret in secrets) text = text.Replace(secret, Commands.CommandArg.Mask, StringComparison.Ordinal);
        return text;
    }
}
