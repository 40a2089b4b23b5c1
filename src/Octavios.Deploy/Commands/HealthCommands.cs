namespace Octavios.Deploy.Commands;

/// <summary>What Verify asks of a target: health URLs, values inside containers (by hash), the CORS answer.</summary>
public static class HealthCommands
{
    public static Command Probe(string url) =>
        new("curl", ["--silent", "--show-error", "--max-time", "5", "--write-out", "\\n%{http_code}", url]) { Title = $"GET {url}" };

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

    /// <summary>
    /// The SHA-256 of a variable's value inside a container, computed on the server (only the hash comes back);
    /// exit 3 when it is not set there. Reads `env`, which every image has, unlike printenv.
    /// </summary>
    public static Command ContainerValueHash(string containerId, string variable) =>
        new("sh", ["-c", "v=$(docker exec \"$1\" env | awk -v k=\"$2\" 'index($0, k \"=\") == 1 { print substr($0, length(k) + 2); found = 1 } END { exit !found }') || exit 3; printf %s \"$v\" | sha256sum", "sh", containerId, variable])
        {
            Title = $"hash {variable} in {containerId[..Math.Min(12, containerId.Length)]}",
        };

    public static Command Cors(string url, string origin) =>
        new("curl", ["--silent", "--show-error", "--max-time", "5", "--output", "/dev/null", "--dump-header", "-", "--header", $"Origin: {origin}", url]) { Title = $"CORS {url}" };
}
