using Octavios.Build.Host;

namespace Octavios.Build;

/// <summary>The suite's host, as the entry point and the tests build it.</summary>
public static class Suite
{
    public static BuildHost<BuildContext> CreateHost() =>
        new BuildHost<BuildContext>((context, run) => new BuildContext(context, run))
            .AddTasksFrom(typeof(BuildContext).Assembly)
            .UseArguments(BuildArguments.All)
            .UseProgramName(Environment.GetEnvironmentVariable("OCTAVIOS_BUILD_PROGRAM") ?? "./build.sh");
}
