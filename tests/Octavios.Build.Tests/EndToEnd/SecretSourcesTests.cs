using System.Collections.Concurrent;
using System.Text.Json;
using Octavios.Build.Host;
using Octavios.Build.Tests.Support;

namespace Octavios.Build.Tests.EndToEnd;

/// <summary>
/// The prod environment's env file from where teams keep it, through ./build.sh over the real sshd: an age file of the
/// repository (Validate, Env, Deploy, Env --diff), a pass store per variable, --edit; and a tracked plain file refused.
/// </summary>
[EndToEnd]
[NonParallelizable]
public class SecretSourcesTests
{
    private const string AgeSecret = "age-held-secret-key-7Hq2Lw9Zp4Xc8Vb1Nm6K";
    private const string AgeJwt = "age-held-jwt-secret-3Tr5Yu7Io9Pa2Sd4Fg6Hj";
    private const string NextJwt = "age-held-jwt-secret-next-8Kl1Zx3Cv5Bn7Mq9W";
    private const string PassSecret = "pass-held-secret-key-2Wd4Rf6Tg8Yh0Uj3Ik5";
    private const string AgeSource = "    envSource:\n      age: envs/.env.prod.age\n";

    private ProdRig _rig = null!;
    private string _keys = "";
    private string _identity = "";

    private static string Output(Octavios.Deploy.Execution.CommandResult run) => run.StandardOutput + run.StandardError;

    [OneTimeSetUp]
    public void StartRig()
    {
        _rig = new ProdRig();
        _keys = Directory.CreateTempSubdirectory("octavios-keys-").FullName;
        _identity = Path.Combine(_keys, "age.key");
        Assert.That(Shell.Run("age-keygen", ["-o", _identity]).ExitCode, Is.Zero);
        _rig.Push("0.2.2", "backend");
        _serverEnv = File.ReadAllText(_rig.ServerEnvFile);
    }

    private string _serverEnv = "";

    /// <summary>The server's env file as the rig made it, for the next test.</summary>
    private void RestoreServerEnvFile()
    {
        File.WriteAllText(_rig.ServerEnvFile, _serverEnv);
        File.SetUnixFileMode(_rig.ServerEnvFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [OneTimeTearDown]
    public void StopRig()
    {
        _rig?.Dispose();
        Shell.Run("gpgconf", ["--homedir", Path.Combine(_keys, "gnupg"), "--kill", "gpg-agent"]);
        if (_keys.Length > 0) Directory.Delete(_keys, true);
    }

    /// <summary>The server's env file with other secrets, encrypted into the repository to the test's identity.</summary>
    private string EncryptEnvFile(string jwt)
    {
        var plain = _serverEnv.Replace(ProdRig.SecretKey, AgeSecret).Replace(ProdRig.JwtSecretKey, jwt);
        var recipient = Shell.Run("age-keygen", ["-y", _identity]).StandardOutput.Trim();
        var encrypt = Shell.Run("sh", ["-c", "printf '%s' \"$1\" | age --recipient \"$2\" --output envs/.env.prod.age", "sh", plain, recipient], workingDirectory: _rig.App.Directory);
        Assert.That(encrypt.ExitCode, Is.Zero, encrypt.StandardError);
        return plain;
    }

    private Dictionary<string, string> Environment(string temp)
    {
        var environment = _rig.Environment();
        environment["DEPLOY_AGE_IDENTITY"] = _identity;
        environment["TMPDIR"] = temp;
        return environment;
    }

    private void Configure(string source) => _rig.App.Configure("    envFile: envs/.env.prod\n    push: true\n  # A Docker Swarm",
        $"    envFile: envs/.env.prod\n    push: true\n{source}  # A Docker Swarm");

    private void Unconfigure(string source) => _rig.App.Configure($"    envFile: envs/.env.prod\n    push: true\n{source}  # A Docker Swarm",
        "    envFile: envs/.env.prod\n    push: true\n  # A Docker Swarm");

    [Test]
    public void AnAgeFileIsValidatedListedDeployedAndDiffedWithoutPlaintextOnThisMachine()
    {
        var plain = EncryptEnvFile(AgeJwt);
        File.Delete(_rig.ServerEnvFile);
        Configure(AgeSource);
        var temp = Directory.CreateTempSubdirectory("octavios-run-tmp-").FullName;
        using var watch = new PlaintextWatch([temp, _rig.App.Directory, Path.GetTempPath()], [AgeSecret, AgeJwt, NextJwt], _rig.ProjectDirectory);
        var runs = new List<Octavios.Deploy.Execution.CommandResult>();
        Octavios.Deploy.Execution.CommandResult Run(params string[] args)
        {
            var run = _rig.Run(Environment(temp), args);
            runs.Add(run);
            return run;
        }

        try
        {
            var validate = Run("--target=Validate", "--exclusive", "--services=backend");
            Assert.That(validate.ExitCode, Is.Zero, Output(validate));
            var env = Run("--target=Env");
            Assert.That(env.ExitCode, Is.Zero, Output(env));
            Assert.That(env.StandardOutput, Does.Contain("envs/.env.prod.age (age), read as").And.Contain("SECRET_KEY").And.Contain("JWT_SECRET_KEY"));
            var deploy = Run("--target=Deploy", "--exclusive", "--services=backend", "--version=0.2.2");
            Assert.That(deploy.ExitCode, Is.Zero, Output(deploy));

            Assert.That(File.ReadAllText(_rig.ServerEnvFile), Is.EqualTo(plain), "the decrypted file, uploaded");
            Assert.That(File.GetUnixFileMode(_rig.ServerEnvFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            var backend = _rig.App.Containers()["backend"].Id;
            Assert.That(Shell.Docker("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", backend).Split('\n'),
                Does.Contain($"SECRET_KEY={AgeSecret}").And.Contain($"JWT_SECRET_KEY={AgeJwt}"), "the secrets reached the container");

            var same = Run("--target=Env", "--diff");
            Assert.That(same.ExitCode, Is.Zero, Output(same));
            Assert.That(same.StandardOutput, Does.Contain($"{_rig.Ssh.Server}  -").And.Contain("the same"));

            EncryptEnvFile(NextJwt);
            var report = Path.Combine(temp, "diff.json");
            var changed = Run("--target=Env", "--diff", $"--report={report}");
            Assert.That(changed.ExitCode, Is.Zero, Output(changed));
            Assert.That(changed.StandardOutput, Does.Match(@"JWT_SECRET_KEY\s+changed\s+backend"));
            var differences = JsonDocument.Parse(File.ReadAllText(report)).RootElement.EnumerateArray().Single().GetProperty("variables").EnumerateArray()
                .Where(v => v.GetProperty("change").GetString() != "unchanged")
                .Select(v => $"{v.GetProperty("name").GetString()} {v.GetProperty("change").GetString()} {string.Join(",", v.GetProperty("services").EnumerateArray().Select(s => s.GetString()))}");
            Assert.That(differences, Is.EqualTo(new[] { "JWT_SECRET_KEY changed backend" }));
            Assert.That(File.ReadAllText(_rig.ServerEnvFile), Is.EqualTo(plain), "--diff changes nothing");
        }
        finally
        {
            Unconfigure(AgeSource);
            RestoreServerEnvFile();
        }

        Assert.That(watch.Leaks(), Is.Empty, "a file on this machine held a decrypted value");
        foreach (var secret in new[] { AgeSecret, AgeJwt, NextJwt })
            Assert.That(runs.Any(r => Output(r).Contains(secret, StringComparison.Ordinal)), Is.False, $"a value leaked: {secret[..12]}…");
        Directory.Delete(temp, true);
    }

    [Test]
    public void APassStoreSuppliesAVariableAndAFailingSourceCommandNamesItselfMasked()
    {
        var gnupg = Directory.CreateDirectory(Path.Combine(_keys, "gnupg")).FullName;
        File.SetUnixFileMode(gnupg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var store = Path.Combine(_keys, "store");
        var environment = _rig.Environment();
        environment["GNUPGHOME"] = gnupg;
        environment["PASSWORD_STORE_DIR"] = store;
        foreach (var (program, args, input) in new (string, string[], string?)[]
                 {
                     ("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Octavios Tests <tests@octavios.invalid>", "default", "default", "never"], null),
                     ("pass", ["init", "tests@octavios.invalid"], null),
                     ("sh", ["-c", "printf '%s\\n' \"$1\" | pass insert -m octavios/prod/SECRET_KEY", "sh", PassSecret], null),
                 })
        {
            var step = Shell.Run(program, args, environment);
            Assert.That(step.ExitCode, Is.Zero, $"{program}: {step.StandardError}");
        }

        // The rest of the file comes from a command (here: the server's file as Setup found it, SECRET_KEY among it).
        var source = $"    envSource:\n      command: cat {_rig.ServerEnvFile}.base\n      variables:\n        SECRET_KEY: {{ command: pass show octavios/prod/SECRET_KEY }}\n";
        File.Copy(_rig.ServerEnvFile, _rig.ServerEnvFile + ".base", overwrite: true);
        Configure(source);
        var configured = source;
        try
        {
            var report = Path.Combine(_keys, "env.json");
            var env = _rig.Run(environment, "--target=Env", $"--report={report}");
            Assert.That(env.ExitCode, Is.Zero, Output(env));
            var listed = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("variables").EnumerateArray()
                .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("sha256").GetString());
            Assert.That(listed["SECRET_KEY"], Is.EqualTo(Octavios.Deploy.EnvFiles.LoadedEnvFile.ShortHash(PassSecret)), "the store's value won over the file's");
            var setup = _rig.Run(environment, "--target=Setup", "--force");
            Assert.That(setup.ExitCode, Is.Zero, Output(setup));
            Assert.That(File.ReadAllLines(_rig.ServerEnvFile).Last(), Is.EqualTo($"SECRET_KEY={PassSecret}"), "merged over the file, uploaded");

            const string failing = "        JWT_SECRET_KEY: { command: pass show octavios/prod/SECRET_KEY >&2; pass show octavios/prod/JWT }\n";
            Unconfigure(configured);
            configured = source + failing;
            Configure(configured);
            foreach (var target in new[] { "Env", "Deploy" })
            {
                var failed = _rig.Run(environment, $"--target={target}", "--exclusive", "--services=backend", "--version=0.2.2");
                Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(failed));
                Assert.That(Output(failed), Does.Contain("envSource.variables.JWT_SECRET_KEY failed: `pass show octavios/prod/SECRET_KEY >&2; pass show octavios/prod/JWT` exited with code 1: Error: octavios/prod/JWT is not in the password store."));
                Assert.That(Output(failed), Does.Not.Contain(PassSecret));
            }
        }
        finally
        {
            Unconfigure(configured);
            RestoreServerEnvFile();
        }
    }

    [Test]
    public void EditInterruptedWithCtrlCLeavesNoPlaintextAndTheEncryptedFileAsItWas()
    {
        EncryptEnvFile(AgeJwt);
        var before = File.ReadAllBytes(Path.Combine(_rig.App.Directory, "envs", ".env.prod.age"));
        Configure(AgeSource);
        var temp = Directory.CreateTempSubdirectory("octavios-run-tmp-").FullName;
        try
        {
            var environment = Environment(temp);
            environment["EDITOR"] = "sh -c 'echo \"NEW=1\" >> \"$0\"; echo editing; sleep 61'";
            using var edit = new RunningSuite(environment, [$"--config={_rig.App.ConfigPath}", "--env=prod", "--target=Env", "--edit"]);
            Assert.That(edit.WaitFor("editing", TimeSpan.FromSeconds(60)), Is.True, edit.Output);
            var opened = Directory.GetDirectories(temp, "octavios-edit-*").Single();
            Assert.That(Directory.GetFiles(opened).Select(File.ReadAllText).Single(), Does.Contain(AgeSecret), "the editor has the plaintext");

            edit.Signal("INT");
            Assert.That(edit.Exit(TimeSpan.FromSeconds(30)), Is.EqualTo(ExitCodes.Interrupted), edit.Output);
            Assert.That(Directory.Exists(opened), Is.False, "the plaintext and its directory are gone");
            Assert.That(Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories)
                    .Where(f => new FileInfo(f).Length > 0 && File.ReadAllText(f).Contains(AgeSecret, StringComparison.Ordinal)), Is.Empty,
                "no plaintext anywhere in the run's temporary directory");
            Assert.That(File.ReadAllBytes(Path.Combine(_rig.App.Directory, "envs", ".env.prod.age")), Is.EqualTo(before));
            Assert.That(Shell.Run("pgrep", ["-f", "sleep 61"]).ExitCode, Is.Not.Zero, "the editor was stopped");
        }
        finally
        {
            Unconfigure(AgeSource);
            Directory.Delete(temp, true);
        }
    }

    [Test]
    public void ATrackedPlainEnvFileFailsValidateOfAServerEnvironmentNamingTheFix()
    {
        var tracked = Path.Combine(_rig.App.Directory, "envs", ".env.prod");
        File.Copy(_rig.ServerEnvFile, tracked, overwrite: true);
        File.SetUnixFileMode(tracked, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var repository = new LibGit2Sharp.Repository(_rig.App.Directory))
        {
            repository.Index.Add("envs/.env.prod");
            repository.Index.Write();
        }

        _rig.App.Commit("the prod env file, by mistake");
        try
        {
            var validate = _rig.Run(null, "--target=Validate", "--exclusive", "--services=backend");
            Assert.That(validate.ExitCode, Is.EqualTo(ExitCodes.Failed), Output(validate));
            Assert.That(validate.StandardOutput, Does.Contain("env.tracked").And.Contain("envs/.env.prod holds the prod environment's secrets and git tracks it")
                .And.Contain("git rm --cached 'envs/.env.prod'"));
        }
        finally
        {
            using (var repository = new LibGit2Sharp.Repository(_rig.App.Directory))
            {
                LibGit2Sharp.Commands.Remove(repository, "envs/.env.prod", removeFromWorkingDirectory: true);
            }

            _rig.App.Commit("the prod env file out again");
        }
    }

    /// <summary>
    /// Every file created or changed under the directories while it runs (inotify, through FileSystemWatcher) is read at
    /// once, and every file there again at the end: none may hold one of the values. The server's files are the server's.
    /// </summary>
    private sealed class PlaintextWatch : IDisposable
    {
        private readonly List<FileSystemWatcher> _watchers = [];
        private readonly ConcurrentBag<string> _leaks = [];
        private readonly string[] _directories;
        private readonly string[] _values;
        private readonly string _server;

        public PlaintextWatch(string[] directories, string[] values, string server)
        {
            (_directories, _values, _server) = (directories, values, server);
            foreach (var directory in directories)
            {
                var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = directory != Path.GetTempPath(), InternalBufferSize = 64 * 1024 };
                watcher.Created += (_, e) => Check(e.FullPath);
                watcher.Changed += (_, e) => Check(e.FullPath);
                watcher.Renamed += (_, e) => Check(e.FullPath);
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }

        private void Check(string path)
        {
            // The rig's server shares this machine's engine: its runc writes each docker exec's process (its environment) to /tmp/runc-process*.
            if (path.StartsWith(_server, StringComparison.Ordinal) || Path.GetFileName(path).StartsWith("runc-process", StringComparison.Ordinal)) return;
            try
            {
                if (new FileInfo(path) is { Exists: true, Length: < 10_000_000 } && File.ReadAllText(path) is var text && _values.Any(v => text.Contains(v, StringComparison.Ordinal)))
                    _leaks.Add(path);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
            }
        }

        public IReadOnlyList<string> Leaks()
        {
            foreach (var directory in _directories.Where(d => d != Path.GetTempPath()))
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/", StringComparison.Ordinal)))
                    Check(file);
            return _leaks.Distinct().ToList();
        }

        public void Dispose()
        {
            foreach (var watcher in _watchers) watcher.Dispose();
        }
    }
}
