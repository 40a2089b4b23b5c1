using Octavios.Build.Host;
using Octavios.Deploy.Operations;

namespace Octavios.Build.Tasks;

[TaskName("Status")]
[TaskDescription("What runs on the target: per service the running version against versions.env, image, state, health, uptime, restarts; the deploy lock's holder; an unfinished change. JSON with --report.")]
public sealed class StatusTask : BuildTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var status = await ServerStatus.ReadAsync(context.Config, context.Services, context.RealTarget.Runner, context.Cancellation);
        context.Publish(status.TableLines(), status.Json(), null);
    }
}
