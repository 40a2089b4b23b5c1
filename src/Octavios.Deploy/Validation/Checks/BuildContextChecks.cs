using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;
using Octavios.Deploy.Configuration;

namespace Octavios.Deploy.Validation.Checks;

/// <summary>
/// build.context-secret: a file that holds secrets (an env file, a private key) inside a service's build context, not
/// excluded by its .dockerignore, would be baked into the image by `docker build` (env values baked into images).
/// </summary>
public static partial class BuildContextChecks
{
    private const int MaxFiles = 50_000;

    public static IEnumerable<Finding> Run(SuiteConfig config, IEnumerable<SelectedService> services, string? envFile)
    {
        foreach (var service in services)
        {
            var context = config.ResolvePath(service.Settings.Context);
            if (!Directory.Exists(context)) continue;
            var ignored = DockerIgnore(context);
            foreach (var file in Directory.EnumerateFiles(context, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }).Take(MaxFiles))
            {
                var relative = Path.GetRelativePath(context, file).Replace('\\', '/');
                if (relative.StartsWith(".git/", StringComparison.Ordinal)) continue;
                var secret = SecretName().IsMatch(Path.GetFileName(file)) || (envFile is not null && Path.GetFullPath(file) == envFile);
                if (secret && !ignored.Match(relative).HasMatches)
                    yield return Finding.Error("build.context-secret",
                        $"{service}: {Path.GetRelativePath(config.BaseDirectory, file)} is in its build context and no .dockerignore excludes it: docker build would bake it " +
                        $"into the image. Add it to {Path.GetRelativePath(config.BaseDirectory, Path.Combine(context, ".dockerignore"))}");
            }
        }
    }

    /// <summary>.dockerignore as include patterns, '!' lines as exceptions (Docker's own order-sensitive rules, approximated).</summary>
    private static Matcher DockerIgnore(string context)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        var path = Path.Combine(context, ".dockerignore");
        if (!File.Exists(path)) return matcher;
        foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var pattern = line.TrimStart('!').TrimStart('/');
            if (line.StartsWith('!')) matcher.AddExclude(pattern);
            else
            {
                matcher.AddInclude(pattern);
                matcher.AddInclude(pattern.TrimEnd('/') + "/**");
            }
        }

        return matcher;
    }

    /// <summary>Env files (.env, .env.prod, prod.env), private keys (*.pem, *.key, id_rsa and friends, not their .pub).</summary>
    [GeneratedRegex(@"^(\.env(\..*)?|.*\.env|.*\.pem|.*\.key|id_(rsa|dsa|ecdsa|ed25519)(_sk)?)$")]
    private static partial Regex SecretName();
}
