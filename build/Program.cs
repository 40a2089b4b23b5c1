using Octavios.Build;
using Octavios.Build.Host;

return new BuildHost<BuildContext>((context, run) => new BuildContext(context, run))
    .AddTasksFrom(typeof(BuildContext).Assembly)
    .UseArguments(BuildArguments.All)
    .UseProgramName(Environment.GetEnvironmentVariable("OCTAVIOS_BUILD_PROGRAM") ?? "./build.sh")
    .Run(args);
