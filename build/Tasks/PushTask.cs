using Octavios.Build.Host;
using Octavios.Deploy.Images;
using Octavios.Deploy.Remote;

namespace Octavios.Build.Tasks;

[TaskName("Push")]
[TaskDescription("Pushes every tag to the registry in parallel, retrying transient failures, printing digests; with --transfer=ssh ships the images over SSH instead. Never prompts.")]
[IsDependentOn(typeof(TagTask))]
public sealed class PushTask : BuildTask<BuildContext>
{
    public override TaskCriterion ShouldRun(BuildContext context)
    {
        if (!context.Options.UsesRegistry && !context.Options.ShipsOverSsh)
            return TaskCriterion.Skip($"environment '{context.Options.EnvironmentName}' runs the images where they were built (push: false)");
        return context.HasServices();
    }

    public override async Task RunAsync(BuildContext context)
    {
        if (context.Options.ShipsOverSsh)
        {
            if (context.Target.Runner is SshCommandRunner server)
                await new SshImageTransfer(context.Local, server, context.DeployLog).ShipAsync(await context.ImagesToShipAsync());
            else
                context.DeployLog.Information($"[dry run] would ship {string.Join(", ", context.Release.Images.Select(i => i.Reference))} to {context.Target.Label} over SSH (reverse tunnel to a local registry)");
            return;
        }

        await context.EnsureRegistryAccessAsync();
        var images = await context.ImagesToShipAsync();
        if (images.Count == 0)
        {
            context.DeployLog.Information("Nothing to push: every image is already on the registry");
            return;
        }

        var digests = await new ImagePipeline(context.Local, context.DeployLog)
            .PushAsync(images, context.Config.Registry, context.Release.EnvironmentCredentials(), PushRetry.BaseDelay, cancellation: context.Cancellation);
        var json = System.Text.Json.JsonSerializer.Serialize(digests.OrderBy(d => d.Key).ToDictionary(d => d.Key, d => d.Value));
        context.GitHub.SetOutput("digests", json);
        context.Publish([], json, "### Push\n\n| image | digest |\n|---|---|\n" + string.Concat(digests.OrderBy(d => d.Key).Select(d => $"| {d.Key} | `{d.Value}` |\n")));
    }
}
