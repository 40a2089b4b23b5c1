using Octavios.Deploy.Execution;

namespace Octavios.Build.Tests.Support;

/// <summary>A log that keeps warnings and errors, for tests that check what a run said.</summary>
public sealed class ListLog : IDeployLog
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors) return _errors.ToList();
        }
    }

    public void Information(string message) { }

    public void Verbose(string message) { }

    public void Warning(string message)
    {
        lock (_errors) _errors.Add(message);
    }

    public void Error(string message)
    {
        lock (_errors) _errors.Add(message);
    }
}
