using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>An operator's first server and view of it: Setup on nothing, the first Deploy, then Status, Logs and History.</summary>
[EndToEnd]
[NonParallelizable]
public class OperatorTests
{
    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    private static void Ok(Octavios.Deploy.Execution.CommandResult run) => Assert.That(run.ExitCode, Is.Zero, Output(run));

    private static IReadOnlyList<string> BackendContainers(ProdRig rig) =>
        Shell.Docker("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={rig.App.Project}", "--filter", "label=com.docker.compose.service=backend")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();

    [Test]
    public void SetupThenDeployThenStatusLogsHistoryAndExec()
    {
        using var rig = new ProdRig(registryAuth: true);
        var empty = Path.Combine(Path.GetDirectoryName(rig.ProjectDirectory)!, "octavios-fresh-" + Guid.NewGuid().ToString("N")[..8]);
        var environment = rig.Environment();
        environment["DEPLOY_PROJECT_DIR"] = empty;
        File.Copy(rig.ServerEnvFile, Path.Combine(rig.App.Directory, "envs", ".env.setup"));
        try
        {
            var validate = rig.Run(environment, "--target=Validate", "--exclusive", "--services=backend");
            Assert.That(Output(validate), Does.Contain("--target=Setup"), "Validate names Setup for a server without its directory");

            Ok(rig.Run(environment, "--target=Setup", "--env-file=envs/.env.setup"));
            Assert.That(File.GetUnixFileMode(Path.Combine(empty, "envs", ".env.prod")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            var again = rig.Run(environment, "--target=Setup", "--env-file=envs/.env.setup");
            Ok(again);
            Assert.That(again.StandardOutput, Does.Contain("is already there, the same"), "Setup is idempotent");

            Ok(rig.Run(environment, "--target=Deploy", "--services=all", "--version=0.2.2"));
            Ok(rig.Run(environment, "--target=Deploy", "--services=backend", "--version=0.2.3"));

            var status = rig.Run(environment, "--target=Status");
            Ok(status);
            var backend = status.StandardOutput.Split('\n').Single(l => l.TrimStart().StartsWith("backend ", StringComparison.Ordinal));
            Assert.That(backend, Does.Contain("0.2.3").And.Contain("running").And.Contain("healthy").And.Not.Contain("(!)"));
            Assert.That(status.StandardOutput, Does.Contain("deploy lock: free"));

            var history = rig.Run(environment, "--target=History");
            Ok(history);
            Assert.That(history.StandardOutput, Does.Contain("BACKEND_VERSION 0.2.2 -> 0.2.3").And.Contain("succeeded"));
            var onlyWeb = rig.Run(environment, "--target=History", "--services=web");
            Assert.That(onlyWeb.StandardOutput, Does.Not.Contain("BACKEND_VERSION 0.2.2 -> 0.2.3"), "filtered by service");

            var logs = rig.Run(environment, "--target=Logs", "--services=backend", "--tail=20");
            Ok(logs);
            Assert.That(logs.StandardOutput, Does.Contain("--- backend ("));
            // Exec: in the running container, output masked, its exit code passed through; in a one-off container of a release.
            var printenv = rig.Run(environment, "--target=Exec", "--services=backend", "--command=echo key=$SECRET_KEY; echo SERVICE=$SERVICE_NAME");
            Ok(printenv);
            Assert.That(printenv.StandardOutput, Does.Contain("key=***").And.Contain("SERVICE=backend"), "the value is in the container, masked here");
            var failing = rig.Run(environment, "--target=Exec", "--services=backend", "--command=echo about to fail; exit 7");
            Assert.That(failing.ExitCode, Is.EqualTo(7), Output(failing));
            Assert.That(failing.StandardOutput, Does.Contain("about to fail"));
            var containers = BackendContainers(rig);
            var oneOff = rig.Run(environment, "--target=Exec", "--services=backend", "--version=0.2.2", "--command=echo one-off $SERVICE_NAME; echo jwt=$JWT_SECRET_KEY");
            Ok(oneOff);
            Assert.That(oneOff.StandardOutput, Does.Contain("one-off backend").And.Contain("jwt=***"));
            Assert.That(BackendContainers(rig), Is.EqualTo(containers), "the one-off container is removed; the running one untouched");
            var two = rig.Run(environment, "--target=Exec", "--services=backend,web", "--command=true");
            Assert.That(two.ExitCode, Is.EqualTo(Octavios.Build.Host.ExitCodes.BadInput), Output(two));
            // --interactive: refused without a terminal; with one (script's pseudo-terminal), what is typed reaches the command over ssh -t.
            var piped = rig.Run(environment, "--target=Exec", "--services=backend", "--interactive", "--command=tty");
            Assert.That(piped.ExitCode, Is.EqualTo(Octavios.Build.Host.ExitCodes.BadInput), Output(piped));
            Assert.That(Output(piped), Does.Contain("--interactive needs a terminal"));
            var session = $"./build.sh --config={rig.App.ConfigPath} --env=prod --target=Exec --services=backend --interactive " +
                          "'--command=tty; read answer; echo \"got $answer\"; exit 5'";
            var attached = Shell.Run("sh", ["-c", "{ sleep 8; printf 'forty-two\\n'; sleep 5; } | script -qec \"$1\" /dev/null", "sh", session], environment,
                SuiteRun.RepositoryRoot, TimeSpan.FromMinutes(2));
            Assert.That(attached.ExitCode, Is.EqualTo(5), Output(attached));
            Assert.That(attached.StandardOutput, Does.Contain("/dev/pts/").And.Contain("got forty-two"), "a terminal in the container, and this one's input in it");
            var noCommand = rig.Run(environment, "--target=Exec", "--services=backend");
            Assert.That(noCommand.ExitCode, Is.EqualTo(Octavios.Build.Host.ExitCodes.BadInput), Output(noCommand));
            Assert.That(noCommand.StandardError, Does.Contain("--command"));

            // Diagnose: the checklist, read-only, values only as hashes.
            var report = Path.Combine(rig.App.Directory, "diagnose.json");
            var diagnose = rig.Run(environment, "--target=Diagnose", "--services=backend", $"--report={report}");
            Ok(diagnose);
            Assert.That(diagnose.StandardOutput, Does.Contain("=== backend ").And.Contain("running, 0 restart(s), health healthy")
                .And.Contain("--- processes").And.Contain("httpd").And.Contain("--- healthcheck: ").And.Contain("exit 0")
                .And.Contain("SECRET_KEY (sha256 ").And.Contain("matches the env file").And.Contain("--- last 50 log lines"));
            Assert.That(File.ReadAllText(report), Does.Contain("\"Healthcheck\"").And.Not.Contain(ProdRig.SecretKey));
            var web = rig.Run(environment, "--target=Diagnose", "--services=web");
            Ok(web);
            Assert.That(web.StandardOutput, Does.Match(@"backend: \d+\.\d+\.\d+\.\d+"), "web resolves the service it depends on, from inside");
            Assert.That(rig.Run(environment, "--target=Diagnose", "--services=backend,web").ExitCode, Is.EqualTo(Octavios.Build.Host.ExitCodes.BadInput));

            // Logs --follow: lines as they come, filtered on the server, masked; Ctrl-C stops it and every docker logs with it.
            var serving = Shell.Docker("ps", "--quiet", "--no-trunc", "--filter", $"label=com.docker.compose.project={rig.App.Project}", "--filter", "label=com.docker.compose.service=backend");
            using (var follow = new RunningSuite(environment, [$"--config={rig.App.ConfigPath}", "--env=prod", "--target=Logs", "--services=backend", "--follow", "--grep=marker"]))
            {
                var seen = false;
                for (var i = 0; i < 60 && !seen; i++)
                {
                    Shell.Docker("exec", serving, "sh", "-c", $"echo other-{i} > /proc/1/fd/1; echo marker-{i} key={ProdRig.SecretKey} > /proc/1/fd/1");
                    seen = follow.WaitFor("marker-", TimeSpan.FromMilliseconds(500));
                }

                Assert.That(seen, Is.True, follow.Output);
                Assert.That(follow.Output, Does.Contain($"[backend {serving[..12]}] marker-").And.Contain("key=***").And.Not.Contain("other-").And.Not.Contain(ProdRig.SecretKey));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                follow.Signal("INT");
                Assert.That(follow.Exit(TimeSpan.FromSeconds(10)), Is.EqualTo(Octavios.Build.Host.ExitCodes.Interrupted), follow.Output);
                TestContext.Out.WriteLine($"Logs --follow stopped {clock.Elapsed.TotalSeconds:0.00} s after SIGINT");
                var left = "";
                for (var i = 0; i < 30 && (left = Shell.Run("pgrep", ["-f", "docker logs --follow"]).StandardOutput.Trim()).Length > 0; i++) Thread.Sleep(100);
                Assert.That(left, Is.Empty, "no docker logs --follow left on the server");
            }

            foreach (var run in new[] { status, history, logs, printenv, failing, oneOff, diagnose, web })
                Assert.That(Output(run), Does.Not.Contain(ProdRig.SecretKey).And.Not.Contain(ProdRig.JwtSecretKey).And.Not.Contain(ProdRig.DatabasePassword));
        }
        finally
        {
            if (Directory.Exists(empty)) Directory.Delete(empty, true);
        }
    }
}
