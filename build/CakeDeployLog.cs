using Cake.Core.Diagnostics;
using Octavios.Deploy.Execution;
using Octavios.Deploy.Output;

namespace Octavios.Build;

/// <summary>The libraries' log, written to Cake's log; the host's output guard masks and escapes what reaches the console, <see cref="Redact"/> what goes elsewhere.</summary>
public sealed class CakeDeployLog(ICakeLog log, SecretMasker masker) : IDeployLog
{
    // Messages go as an argument, never as the format string: they may hold braces.
    public void Information(string message) => log.Information("{0}", message);

    public void Verbose(string message) => log.Verbose("{0}", message);

    public void Warning(string message) => log.Warning("{0}", message);

    public void Error(string message) => log.Error("{0}", message);

    public string Redact(string text) => masker.Mask(text);
}
