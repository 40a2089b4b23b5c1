using Cake.Core.Diagnostics;
using Octavios.Deploy.Execution;

namespace Octavios.Build;

/// <summary>The libraries' log, written to Cake's log with every known secret masked.</summary>
public sealed class CakeDeployLog(ICakeLog log, SecretMasker masker) : IDeployLog
{
    // Messages go as an argument, never as the format string: they may hold braces.
    public void Information(string message) => log.Information("{0}", masker.Mask(message));

    public void Verbose(string message) => log.Verbose("{0}", masker.Mask(message));

    public void Warning(string message) => log.Warning("{0}", masker.Mask(message));

    public void Error(string message) => log.Error("{0}", masker.Mask(message));
}
