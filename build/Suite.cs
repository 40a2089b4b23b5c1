using Octavios.Build.Host;
using Octavios.Deploy;
using Octavios.Deploy.Configuration;
using Octavios.Deploy.Output;

namespace Octavios.Build;

/// <summary>The suite's host, as the entry point and the tests build it.</summary>
public static class Suite
{
    /// <summary>One masker a run: every secret the run learns is masked on every output path from then on.</summary>
    public static BuildHost<BuildContext> CreateHost()
    {
        var masker = new SecretMasker();
        return new BuildHost<BuildContext>((context, run) => new BuildContext(context, run, masker))
            .AddTasksFrom(typeof(BuildContext).Assembly)
            .UseArguments(BuildArguments.All)
            .UseOutputFilter(new OutputFilter(
                text => PrintableText.Lines(masker.Mask(text), colours: OutputStyle.Colorful),
                line => PrintableText.Escape(masker.Mask(line), keepLineBreaks: false)))
            .UseCompletionValues(CompletionValues)
            .UseProgramName(Environment.GetEnvironmentVariable("OCTAVIOS_BUILD_PROGRAM") ?? "./build.sh");
    }

    /// <summary>What a completion script offers beside targets and arguments: the configuration's services and environments, when it loads.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> CompletionValues(IReadOnlyDictionary<string, string> given)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>
        {
            [BuildArguments.Transfer] = ["registry", "ssh"],
            [BuildArguments.ComposeVersion] = ["v1", "v2"],
        };
        try
        {
            var config = ConfigLoader.Load(given.GetValueOrDefault(BuildArguments.Config) ?? "octavios.build.yml");
            values[BuildArguments.Services] = [.. config.ServiceNames, "all", "changed"];
            values[BuildArguments.Env] = ["local", .. config.Environments.Keys.Where(e => e != "local")];
        }
        catch (DeployInputException)
        {
            // No configuration here: the script completes targets and arguments only.
        }

        return values;
    }
}
