using System.Collections.Concurrent;
using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.Compose;

/// <summary>The run's compose files, each read from disk and parsed once however many steps, and hosts of a fleet, ask.</summary>
public sealed class ComposeFileSet(SuiteConfig config)
{
    private readonly ConcurrentDictionary<string, Lazy<string>> _texts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<ComposeFile>> _parsed = new(StringComparer.Ordinal);

    /// <summary>A file's text, by its name in the configuration (relative to its folder).</summary>
    public string Text(string name) => _texts.GetOrAdd(name, n => new Lazy<string>(() => File.ReadAllText(config.ResolvePath(n)))).Value;

    /// <summary>A file, parsed; a file Compose could not read either throws <see cref="ComposeFileException"/>.</summary>
    public ComposeFile Parsed(string name) => _parsed.GetOrAdd(name, n => new Lazy<ComposeFile>(() => ComposeFile.Parse(n, Text(n)))).Value;

    public IReadOnlyList<ComposeFile> Parsed(IEnumerable<string> names) => names.Select(Parsed).ToList();
}
