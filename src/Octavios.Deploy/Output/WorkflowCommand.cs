using System.Text;

namespace Octavios.Deploy.Output;

/// <summary>
/// A GitHub Actions workflow command (<c>::error file=…,line=…,title=…::message</c>) with its data escaped as the runner
/// requires: <c>%</c>, <c>\r</c>, <c>\n</c> in the message, and <c>:</c> and <c>,</c> too in properties. Written by hand:
/// the suite's console guard must tell its own command lines from relayed ones, and Cake's writer prints straight out.
/// </summary>
public static class WorkflowCommand
{
    public static string Format(string command, IEnumerable<KeyValuePair<string, string?>> properties, string message)
    {
        var line = new StringBuilder("::").Append(command);
        var separator = ' ';
        foreach (var (name, value) in properties)
        {
            if (string.IsNullOrEmpty(value)) continue;
            line.Append(separator).Append(name).Append('=').Append(EscapeProperty(value));
            separator = ',';
        }

        return line.Append("::").Append(EscapeData(message)).ToString();
    }

    public static string Format(string command, string message = "") => Format(command, [], message);

    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    public static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
