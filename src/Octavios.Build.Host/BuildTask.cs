using Cake.Core;

namespace Octavios.Build.Host;

/// <summary>A task of the graph, Frosting-style: one class per task, typed on the build's context.</summary>
public abstract class BuildTask<TContext> : IBuildTask where TContext : ICakeContext
{
    /// <summary>Whether the task runs in this build; a skip carries the reason printed to the user.</summary>
    public virtual TaskCriterion ShouldRun(TContext context) => TaskCriterion.Run;

    public virtual void Run(TContext context)
    {
    }

    public virtual Task RunAsync(TContext context)
    {
        Run(context);
        return Task.CompletedTask;
    }

    /// <summary>Called when <see cref="RunAsync"/> throws; the default rethrows so the build fails.</summary>
    public virtual void OnError(Exception exception, TContext context) =>
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception).Throw();

    public virtual void Finally(TContext context)
    {
    }

    Type IBuildTask.ContextType => typeof(TContext);

    TaskCriterion IBuildTask.ShouldRun(ICakeContext context) => ShouldRun((TContext)context);

    Task IBuildTask.RunAsync(ICakeContext context) => RunAsync((TContext)context);

    void IBuildTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (TContext)context);

    void IBuildTask.Finally(ICakeContext context) => Finally((TContext)context);
}

/// <summary>Untyped view of a task, for the host (calls through it need no runtime binder, which costs ~45 ms at start).</summary>
public interface IBuildTask
{
    Type ContextType { get; }

    TaskCriterion ShouldRun(ICakeContext context);

    Task RunAsync(ICakeContext context);

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}

/// <summary>The outcome of <see cref="BuildTask{TContext}.ShouldRun"/>: run, or skip with a reason.</summary>
public readonly record struct TaskCriterion(bool ShouldRun, string? Reason)
{
    public static TaskCriterion Run => new(true, null);

    public static TaskCriterion Skip(string reason) => new(false, reason);

    public static implicit operator TaskCriterion(bool shouldRun) =>
        shouldRun ? Run : Skip("its criterion was false");
}

/// <summary>A context that has a result line for scripts: printed last, after Cake's report (e.g. `| tail -1`).</summary>
public interface IHasFinalOutput
{
    string? FinalOutput { get; }
}
