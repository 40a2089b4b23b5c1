namespace Octavios.Deploy.Execution;

/// <summary>Where the libraries report; the build adapts it to Cake's log, tests capture it.</summary>
public interface IDeployLog
{
    void Information(string message);

    void Verbose(string message);

    void Warning(string message);

    void Error(string message);
}
