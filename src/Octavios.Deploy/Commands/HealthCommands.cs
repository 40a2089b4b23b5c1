namespace Octavios.Deploy.Commands;

/// <summary>What Verify asks of a target: health URLs, values inside containers (by hash), the CORS answer.</summary>
public static class HealthCommands
{
    /// <summary>Ends each URL's answer in <see cref="ProbeAll"/>'s output, with curl's exit code after it.</summary>
    public const string AnswerEnd = "--- octavios: end of answer ";

    /// <summary>
    /// Every health URL asked in one command: per URL, curl's output (the body, then the status code on its own line)
    /// and its errors, then a line <see cref="AnswerEnd"/> and curl's exit code.
    /// </summary>
    public static Command ProbeAll(IReadOnlyList<string> urls) =>
        new("sh", ["-c", "m=$1; shift; for u; do curl --silent --show-error --max-time 5 --write-out '\\n%{http_code}' \"$u\" 2>&1; s=$?; printf '\\n%s%s\\n' \"$m\" \"$s\"; done",
            "sh", AnswerEnd, .. urls.Select(u => new CommandArg(u))])
        {
            Title = $"GET {urls.Count} health URL(s)",
            Timeout = TimeSpan.FromSeconds(10 + 6 * urls.Count),
        };

    /// <summary>
    /// The service's health path asked of one container itself, on its network address and its one exposed port (exit 3
    /// when it exposes none or several: nothing to ask); output as <see cref="Probe"/>'s.
    /// </summary>
    public static Command ProbeContainer(string containerId, string pathAndQuery) =>
        new("sh", ["-c",
            "ip=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' \"$1\" | cut -d' ' -f1)\n" +
            "set -- \"$1\" \"$2\" $(docker inspect --format '{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}' \"$1\")\n" +
            "[ $# -eq 3 ] && [ -n \"$ip\" ] || exit 3\n" +
            "curl --silent --show-error --max-time 5 --write-out '\\n%{http_code}' \"http://$ip:${3%/*}$2\"",
            "sh", containerId, pathAndQuery])
        {
            Title = "ask the new container its health URL",
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Separates the hashes from the log in <see cref="ContainerFacts"/>'s output.</summary>
    public const string LogStart = "--- octavios: log since the deploy";

    /// <summary>
    /// What Verify reads of one container in one command. First the SHA-256 of each variable's value inside it, computed
    /// on the server (only hashes come back): "NAME HASH", "NAME -" when it is not set there, "NAME ?" when the container
    /// could not be asked (`env`, which every image has, unlike printenv). Then <see cref="LogStart"/> and its log since a time.
    /// </summary>
    public static Command ContainerFacts(string containerId, IReadOnlyList<string> variables, DateTimeOffset logSince) =>
        new("sh", ["-c",
            "m=$1; id=$2; since=$3; shift 3\n" +
            "if [ $# -gt 0 ]; then e=$(docker exec \"$id\" env) || { for k; do echo \"$k ?\"; done; set --; }; fi\n" +
            "for k; do v=$(printf '%s\\n' \"$e\" | awk -v k=\"$k\" 'index($0, k \"=\") == 1 { print substr($0, length(k) + 2); found = 1 } END { exit !found }') " +
            "&& echo \"$k $(printf %s \"$v\" | sha256sum | cut -d' ' -f1)\" || echo \"$k -\"; done\n" +
            "echo \"$m\"; docker logs --since \"$since\" \"$id\" 2>&1",
            "sh", LogStart, containerId, logSince.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), .. variables.Select(v => new CommandArg(v))])
        {
            Title = $"variables and log of {containerId[..Math.Min(12, containerId.Length)]}",
            Timeout = TimeSpan.FromSeconds(60),
        };

    public static Command Cors(string url, string origin) =>
        new("curl", ["--silent", "--show-error", "--max-time", "5", "--output", "/dev/null", "--dump-header", "-", "--header", $"Origin: {origin}", url]) { Title = $"CORS {url}" };
}
