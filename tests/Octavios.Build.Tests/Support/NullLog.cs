using Octavios.Deploy.Execution;

namespace Octavios.Build.Tests.Support;

/// <summary>A log that keeps nothing, for tests that assert on results rather than on messages.</summary>
public sealed class NullLog : IDeployLog
{
    public void Information(string message) { }
    public void Verbose(string message) { }
    public void Warning(string message) { }
    public void Error(string message) { }
}
