namespace Octavios.Deploy.Execution;

/// <summary>Where the libraries report; the build adapts it to Cake's log, tests capture it.</summary>
public interface IDeployLog
{
    void Information(string message);

    void Verbose(string message);

    void Warning(string message);

    void Error(string message);

    /// <summary>Text bound for an output the log does not write itself (the server's audit log): masked as the console is.</summary>
    string Redact(string text) => text;
}
