using Octavios.Build.Host;

namespace Octavios.Build.Tasks;

[TaskName("Default")]
[TaskDescription("What a bare ./build.sh runs: Validate, which changes nothing.")]
[IsDependentOn(typeof(ValidateTask))]
public sealed class DefaultTask : BuildTask<BuildContext>;
