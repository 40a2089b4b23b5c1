namespace Octavios.Deploy.Validation;

public enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>What one check found: its id, how serious, and what to do. Never holds a secret's value.</summary>
public sealed record Finding(string Check, Severity Severity, string Message)
{
    public static Finding Error(string check, string message) => new(check, Severity.Error, message);

    public static Finding Warning(string check, string message) => new(check, Severity.Warning, message);

    public static Finding Info(string check, string message) => new(check, Severity.Info, message);
}
