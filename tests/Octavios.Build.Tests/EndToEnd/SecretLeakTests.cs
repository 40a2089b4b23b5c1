using Cake.Core.Diagnostics;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;
using Octavios.Deploy.Output;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// The suite's leak test, as an attacker would try it: secrets of every awkward kind planted in the env file of a real
/// ssh environment, a release that prints its whole environment and command line, every target run at normal and
/// diagnostic verbosity with GitHub Actions output on; then everything written (console, reports, step summaries and
/// outputs, the server's files but its env file, temporary files) is scanned for every planted value and each of its lines.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class SecretLeakTests
{
    private const string Pem = "-----BEGIN PRIVATE KEY-----\n" +
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n" +
        "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n" +
        "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n" +
        "-----END PRIVATE KEY-----";

    private const string UrlPassword = "Pw-in-URL-7f3a9c2eLq";
    private const string SentryKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private const string InnocentToken = "Xk9mQ2vL7pR4tY8wZ3nB6cJ1aDfGhJ";
    private const string InnocentKey = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    private const string ShellPassword = "sh&ll;$(id)|<meta>*?!)\"q`-and-long-enough-for-32";
    private const string DollarBrace = "tpl${Q7wz81Lm-literal-dollar-brace-2f9a";

    /// <summary>The planted values, and every line of at least eight characters of each (the masking rule's own floor).</summary>
    private static IEnumerable<string> Planted(ProdRig rig) =>
        new[] { Pem, UrlPassword, "octavios:" + UrlPassword, SentryKey, InnocentToken, InnocentKey, ShellPassword, DollarBrace,
                ProdRig.SecretKey, ProdRig.JwtSecretKey, ProdRig.DatabasePassword, rig.Registry.Credentials!.Value.Password }
            .SelectMany(v => v.Split('\n').Prepend(v).Prepend(v.Replace("\n", "\\n")))
            .Where(v => v.Length >= SecretMasker.MinimumLine)
            .Distinct();

    [Test]
    public void NoPlantedSecretReachesAnyOutputOfAnyTarget()
    {
        using var rig = new ProdRig(registryAuth: true);
        MakeTheReleaseLeaky(rig.App);
        WritePlantedEnvFile(rig, "ok");
        var scan = new Scan(rig);

        rig.Push("0.2.2", "backend");
        scan.Run(ExitCodes.Success, Verbosity.Normal, "--target=Deploy", "--services=proxy", "--version=0.2.2");
        scan.Run(ExitCodes.Success, Verbosity.Diagnostic, "--target=Deploy", "--services=backend", "--version=0.2.3");
        foreach (var verbosity in new[] { Verbosity.Normal, Verbosity.Diagnostic })
        {
            scan.Run(ExitCodes.Success, verbosity, "--target=Verify", "--exclusive", "--services=backend");
            scan.Run(ExitCodes.Success, verbosity, "--target=Logs", "--services=backend");
            scan.Run(ExitCodes.Success, verbosity, "--target=Status", $"--report={scan.Report("status", verbosity)}");
            scan.Run(ExitCodes.Success, verbosity, "--target=History", $"--report={scan.Report("history", verbosity)}");
            scan.Run(ExitCodes.Success, verbosity, "--target=Env", $"--report={scan.Report("env", verbosity)}");
            scan.Run(ExitCodes.Success, verbosity, "--target=Validate", "--services=backend", $"--report={scan.Report("validate", verbosity)}");
            scan.Run(ExitCodes.Success, verbosity, "--target=Deploy", "--services=backend", "--version=0.2.4", "--dryrun");
        }

        Assert.That(scan.Console, Does.Contain("UPSTREAM_REF").And.Contain("exec: backend"), "the release did print its environment, and Logs relayed it");

        // A release that crashes at start, then one that never gets healthy: both print everything, both are put back.
        scan.Run(ExitCodes.Success, Verbosity.Diagnostic, "--target=Push", "--services=backend", "--version=0.2.4");
        WritePlantedEnvFile(rig, "crash");
        scan.Run(ExitCodes.Failed, Verbosity.Diagnostic, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.4");
        WritePlantedEnvFile(rig, "unhealthy");
        scan.Run(ExitCodes.Failed, Verbosity.Normal, "--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.4");
        Assert.That(scan.Console, Does.Contain("fatal: cannot start with"), "the failed deploy showed the release's log");

        WritePlantedEnvFile(rig, "ok");
        scan.Run(ExitCodes.Success, Verbosity.Normal, "--target=Rollback", "--services=backend", "--version=0.2.2");

        // Env files that do not parse: the errors must not quote the line they choke on (a '${' without its '}' is an
        // error to Compose v2 only: read with its rules).
        foreach (var (broken, rules) in new[] { ("BROKEN_KEY=" + Pem, "v1"), ("BROKEN_TOKEN=tok3n${Zq81LmVx-unclosed-" + InnocentToken, "v2") })
        {
            File.AppendAllText(rig.ServerEnvFile, broken + "\n");
            foreach (var verbosity in new[] { Verbosity.Normal, Verbosity.Diagnostic })
            {
                scan.Run(ExitCodes.Failed, verbosity, "--target=Env", $"--compose-version={rules}", $"--report={scan.Report("env-broken", verbosity)}");
                scan.Run(ExitCodes.Failed, verbosity, "--target=Validate", "--exclusive", $"--compose-version={rules}", $"--report={scan.Report("validate-broken", verbosity)}");
            }

            WritePlantedEnvFile(rig, "ok");
        }

        var (outputs, text) = scan.Everything();
        TestContext.Progress.WriteLine($"leak test: {scan.Runs} runs, {outputs} outputs scanned ({text.Length:N0} characters), {Planted(rig).Count()} planted values and lines");
        Assert.That(outputs, Is.GreaterThan(scan.Runs * 2));
        foreach (var secret in Planted(rig))
        {
            var at = text.IndexOf(secret, StringComparison.Ordinal);
            Assert.That(at, Is.EqualTo(-1), $"a planted value leaked: ...{(at < 0 ? "" : PrintableText.Inline(text.Substring(Math.Max(0, at - 200), Math.Min(300, text.Length - Math.Max(0, at - 200)))))}...");
        }

        Assert.That(text.Split('\n').Where(l => l.TrimStart().StartsWith("::", StringComparison.Ordinal) && !IsSuiteCommand(l)), Is.Empty,
            "a line relayed from the server became a workflow command");
    }

    private static bool IsSuiteCommand(string line) =>
        line.StartsWith("::group::", StringComparison.Ordinal) || line == "::endgroup::"
        || line.StartsWith("::error ", StringComparison.Ordinal) || line.StartsWith("::warning ", StringComparison.Ordinal);

    /// <summary>backend prints its whole environment, a command line with secrets in it and its TLS key as a JSON log does; LEAK_MODE makes it crash or never healthy.</summary>
    private static void MakeTheReleaseLeaky(ExampleApp app)
    {
        var backend = Path.Combine(app.Directory, "apps", "backend");
        File.WriteAllText(Path.Combine(backend, "leak.sh"), """
            env
            echo "exec: backend --database-url=$DATABASE_URL --sentry-dsn=$SENTRY_DSN --secret=$SECRET_KEY --ref=$UPSTREAM_REF --stripe=$PAYMENTS"
            printf '{"level":"info","tls_key":"%s"}\n' "$(printf '%s' "$TLS_PRIVATE_KEY" | awk '{printf "%s\\n", $0}')"
            echo "::error::forged by the release"
            case "$LEAK_MODE" in
              crash) echo "fatal: cannot start with $DATABASE_URL and $SHELL_PASSWORD" >&2; exit 3 ;;
              unhealthy) rm -rf /www/api ;;
            esac
            exec httpd -f -p 8000 -h /www
            """.Replace("\r", "") + "\n");
        File.AppendAllText(Path.Combine(backend, "Dockerfile"), "COPY leak.sh /leak.sh\nCMD [\"sh\", \"/leak.sh\"]\n");
        var compose = Path.Combine(app.Directory, "infra", "docker-compose.yml");
        File.WriteAllText(compose, File.ReadAllText(compose).Replace("      CORS_ORIGINS: ${CORS_ORIGINS:-http://localhost:3000}\n",
            "      CORS_ORIGINS: ${CORS_ORIGINS:-http://localhost:3000}\n" + string.Concat(new[]
            {
                "DATABASE_URL", "SENTRY_DSN", "UPSTREAM_REF", "PAYMENTS", "SHELL_PASSWORD", "TLS_PRIVATE_KEY", "TEMPLATE_VALUE", "LEAK_MODE",
            }.Select(name => $"      {name}: ${{{name}}}\n"))));
        File.WriteAllText(app.ConfigPath, File.ReadAllText(app.ConfigPath).Replace("  healthTimeoutSeconds: 90", "  healthTimeoutSeconds: 20"));
        app.Commit("backend prints everything it is given");
    }

    private static void WritePlantedEnvFile(ProdRig rig, string mode)
    {
        rig.WriteServerEnvFile(ProdRig.JwtSecretKey);
        File.AppendAllText(rig.ServerEnvFile, string.Join('\n',
            $"DATABASE_URL=postgres://octavios:{UrlPassword}@db:5432/octavios",
            $"SENTRY_DSN=https://{SentryKey}@o4504.ingest.sentry.io/4504",
            $"UPSTREAM_REF={InnocentToken}",
            $"PAYMENTS={InnocentKey}",
            $"SHELL_PASSWORD='{ShellPassword}'",
            $"TLS_PRIVATE_KEY=\"{Pem}\"",
            $"TEMPLATE_VALUE='{DollarBrace}'",
            $"LEAK_MODE={mode}") + "\n");
    }

    /// <summary>Runs the suite with GitHub Actions output on and a temporary directory of its own, and keeps everything it wrote.</summary>
    private sealed class Scan
    {
        private readonly ProdRig _rig;
        private readonly Dictionary<string, string> _environment;
        private readonly string _outputs = Directory.CreateTempSubdirectory("octavios-leak-outputs-").FullName;
        private readonly string _temp = Directory.CreateTempSubdirectory("octavios-leak-tmp-").FullName;
        private readonly System.Text.StringBuilder _console = new();

        public Scan(ProdRig rig)
        {
            _rig = rig;
            _environment = rig.Environment();
            _environment["GITHUB_ACTIONS"] = "true";
            _environment["GITHUB_OUTPUT"] = Path.Combine(_outputs, "github-output");
            _environment["GITHUB_STEP_SUMMARY"] = Path.Combine(_outputs, "github-summary.md");
            _environment["TMPDIR"] = _temp;
        }

        public int Runs { get; private set; }

        public string Console => _console.ToString();

        public string Report(string name, Verbosity verbosity) => Path.Combine(_outputs, $"{name}-{verbosity}-{Runs}.json");

        public void Run(int exitCode, Verbosity verbosity, params string[] args)
        {
            var run = _rig.Run(_environment, [.. args, $"--verbosity={verbosity.ToString().ToLowerInvariant()}"]);
            Runs++;
            _console.AppendLine(run.StandardOutput).AppendLine(run.StandardError);
            Assert.That(run.ExitCode, Is.EqualTo(exitCode), $"{string.Join(' ', args)}\n{run.StandardOutput}{run.StandardError}");
        }

        /// <summary>Every output: console, reports, GitHub files, the server's files but its env file, and the run's temporary files.</summary>
        public (int Outputs, string Text) Everything()
        {
            var files = Directory.GetFiles(_outputs, "*", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(_temp, "*", SearchOption.AllDirectories))
                .Concat(Directory.GetFiles(_rig.ProjectDirectory, "*", SearchOption.AllDirectories).Where(f => f != _rig.ServerEnvFile))
                .Where(f => new FileInfo(f) is { LinkTarget: null, Length: < 50_000_000 })
                .ToList();
            return (Runs * 2 + files.Count, Console + string.Concat(files.Select(f => f + "\n" + File.ReadAllText(f) + "\n")));
        }
    }
}
