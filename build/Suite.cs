using Octavios.Build.Host;
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
            .UseProgramName(Environment.GetEnvironmentVariable("OCTAVIOS_BUILD_PROGRAM") ?? "./build.sh");
    }
}
