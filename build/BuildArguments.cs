using Octavios.Build.Host;

namespace Octavios.Build;

/// <summary>Every argument the suite accepts; --help prints them, README documents them.</summary>
public static class BuildArguments
{
    public const string Config = "config";
    public const string Env = "env";
    public const string Services = "services";
    public const string Version = "version";
    public const string Since = "since";
    public const string Registry = "registry";
    public const string EnvFile = "env-file";
    public const string NoCache = "no-cache";
    public const string Report = "report";
    public const string IncludeUncommitted = "include-uncommitted";
    public const string Force = "force";
    public const string Transfer = "transfer";
    public const string LockWait = "lock-wait";
    public const string TrustNewHost = "trust-new-host";
    public const string Hosts = "hosts";
    public const string ComposeVersion = "compose-version";
    public const string Tail = "tail";
    public const string LogSince = "log-since";
    public const string Command = "command";
    public const string Follow = "follow";
    public const string Grep = "grep";
    public const string Interactive = "interactive";
    public const string Diff = "diff";
    public const string Edit = "edit";
    public const string Accessory = "accessory";
    public const string Action = "action";

    public static readonly IReadOnlyList<ArgumentDefinition> All =
    [
        new(Config, "Suite configuration file (YAML); relative paths in it resolve against its folder.", "octavios.build.yml"),
        new(Env, "Environment to deploy to, from the configuration's 'environments' ('local' is built in).", "local"),
        new(Services, "One service, a space- or comma-separated list, 'all', or 'changed' (what Detect finds).", RequiredBy: ["Build", "Tag", "Push", "Deploy", "Rollback"]),
        new(Version, "Release version to build, push and deploy: X.Y.Z or X.Y.Z-PRERELEASE, never 'latest'.", RequiredBy: ["Build", "Tag", "Push", "Deploy"]),
        new(Since, "Git reference Detect compares HEAD with (tag, commit or branch).", "HEAD~1"),
        new(Registry, "Registry host overriding the configuration's 'registry' (e.g. 127.0.0.1:5000)."),
        new(EnvFile, "Env file replacing the environment's 'envFile' (relative to the configuration's folder); a deploy to a server uploads it."),
        new(NoCache, "Build images without Docker's layer cache.", "false", IsFlag: true),
        new(Report, "Write the target's result as JSON to this file (Detect, Validate, Env)."),
        new(IncludeUncommitted, "Detect also counts uncommitted and untracked changes.", "false", IsFlag: true),
        new(Force, "Rebuild and push a release tag that the registry already holds from another commit; with Unlock, break a lock whose holder is alive.", "false", IsFlag: true),
        new(LockWait, "Seconds a deploy waits for another deploy's lock on the server before giving up.", "0"),
        new(Transfer, "How images reach an ssh environment: 'registry' (push, then pull there) or 'ssh' (over the deploy connection).", "registry"),
        new(Tail, "History: how many entries (default 20); Logs: how many lines per container (default 100)."),
        new(LogSince, "Logs: only lines since this time (docker logs --since: 10m, 2026-11-29T08:00:00)."),
        new(ComposeVersion, "The Compose the target runs, v1 or v2, instead of asking it (the env file is read by its rules)."),
        new(Follow, "Logs: keep streaming every host's lines until Ctrl-C.", "false", IsFlag: true),
        new(Grep, "Logs: only lines holding this text (a fixed string; filtered on the server when following)."),
        new(Command, "Exec: the command to run in the service's container, through its shell (sh -c).", RequiredBy: ["Exec"]),
        new(Interactive, "Exec: attach this terminal to the command in a running container of one host (only from a terminal; never in a pipe or CI).", "false", IsFlag: true),
        new(Diff, "Env: per variable and host, unchanged / changed / added / removed between the env file this run would upload and the server's, by hashes made on each side; and the running services that read each change.", "false", IsFlag: true),
        new(Edit, "Env: decrypt the environment's age file to a private temporary file, open $EDITOR, encrypt it again (refused if it no longer parses).", "false", IsFlag: true),
        new(Accessory, "Accessory: which one, from the configuration's 'accessories'.", RequiredBy: ["Accessory"]),
        new(Action, "Accessory: boot (start it if it is not running, never recreating it), restart, logs or backup.", RequiredBy: ["Accessory"]),
        new(Hosts, "A fleet: only these of its hosts (comma-separated addresses or host names)."),
        new(TrustNewHost, "Trust and record a server's host key the first time it is seen (never a changed one).", "false", IsFlag: true),
    ];
}
