namespace Octavios.Deploy.Deployment;

/// <summary>Where one host's deploy waits for the rest of its fleet; a single server has none and goes straight through.</summary>
public interface IFleetBarrier
{
    /// <summary>This host is locked; true once every host is, false when one could not be (change nothing, release).</summary>
    Task<bool> LockedAsync(CancellationToken cancellation);

    /// <summary>This host has pulled; true when every host has and the earlier batches are healthy, false when the fleet stops.</summary>
    Task<bool> ReadyToChangeAsync(CancellationToken cancellation);

    /// <summary>This host is updated and recorded; true to keep it, false when another host failed and the updated ones go back.</summary>
    Task<bool> KeepAsync(CancellationToken cancellation);

    /// <summary>The fleet's hooks of a stage, run once for all hosts while each holds its lock; every host awaits the same run.</summary>
    Task HooksAsync(string stage, CancellationToken cancellation);

    /// <summary>Work done once for the whole fleet (the release commands): the first host to get here runs its <paramref name="work"/>, every host awaits that run.</summary>
    Task OnceAsync(string key, Func<Task> work);
}

/// <summary>The fleet stopped this host's deploy before it changed anything here, or after it was put back.</summary>
public sealed class FleetStoppedException(string message) : Exception(message);

/// <summary>
/// The stages of every host of one fleet rollout, and the rules of when each may go on: all locks before anything
/// changes, every pull before any container is touched, batch after batch, and a failure anywhere stopping the rest.
/// </summary>
public sealed class FleetBarrier(IReadOnlyList<int> batchOf, bool rollbackUpdatedHosts, Func<string, CancellationToken, Task>? hooks = null)
{
    private enum Stage { Started, Locked, Pulled, Committed, Stopped, Failed, Finished }

    private readonly IReadOnlyList<int> _batchOf = batchOf;
    private readonly bool _rollbackUpdatedHosts = rollbackUpdatedHosts;
    private readonly Stage[] _stages = batchOf.Select(_ => Stage.Started).ToArray();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, Task> _hooks = new();

    public bool AnyFailed { get { lock (_gate) return _stages.Contains(Stage.Failed); } }

    public IFleetBarrier For(int host) => new HostBarrier(this, host);

    /// <summary>The host's deploy ended: it failed (and was put back), or the fleet stopped it, or it finished.</summary>
    public void Ended(int host, bool failed, bool stopped) =>
        Move(host, failed ? Stage.Failed : stopped ? Stage.Stopped : Stage.Finished);

    private void Move(int host, Stage stage)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _stages[host] = stage;
            (changed, _changed) = (_changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        changed.SetResult();
    }

    private async Task<bool> WaitAsync(int host, Stage arrived, Func<int, Stage, bool> done, Func<bool> answer, CancellationToken cancellation)
    {
        Move(host, arrived);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_stages.Contains(Stage.Failed) || Enumerable.Range(0, _stages.Length).All(i => i == host || Ended(_stages[i]) || done(i, _stages[i])))
                    return answer();
                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellation);
        }
    }

    private static bool Ended(Stage stage) => stage is Stage.Stopped or Stage.Failed or Stage.Finished;

    private bool NoneFailed() => !AnyFailed;

    /// <summary>The first host to get here starts the stage's hooks; post-deploy hooks run only when no host failed.</summary>
    private Task HooksOnceAsync(string stage, CancellationToken cancellation)
    {
        lock (_gate)
        {
            if (!_hooks.TryGetValue(stage, out var run))
                _hooks[stage] = run = hooks is null || (stage == "post-deploy" && _stages.Contains(Stage.Failed)) ? Task.CompletedTask : Task.Run(() => hooks(stage, cancellation), cancellation);
            return run;
        }
    }

    private Task OnceOnFirstAsync(string key, Func<Task> work)
    {
        lock (_gate)
        {
            if (!_hooks.TryGetValue(key, out var run)) _hooks[key] = run = work();
            return run;
        }
    }

    private sealed class HostBarrier(FleetBarrier fleet, int host) : IFleetBarrier
    {
        public Task OnceAsync(string key, Func<Task> work) => fleet.OnceOnFirstAsync(key, work);

        public Task<bool> LockedAsync(CancellationToken cancellation) =>
            fleet.WaitAsync(host, Stage.Locked, (_, stage) => stage >= Stage.Locked, fleet.NoneFailed, cancellation);

        // Every host pulled, and every host of an earlier batch updated and recorded.
        public Task<bool> ReadyToChangeAsync(CancellationToken cancellation) =>
            fleet.WaitAsync(host, Stage.Pulled,
                (other, stage) => stage >= Stage.Pulled && (fleet._batchOf[other] >= fleet._batchOf[host] || stage >= Stage.Committed),
                fleet.NoneFailed, cancellation);

        public Task HooksAsync(string stage, CancellationToken cancellation) => fleet.HooksOnceAsync(stage, cancellation);

        public async Task<bool> KeepAsync(CancellationToken cancellation)
        {
            // An interruption before every host is updated sends this one back too (the transaction's revert), unless the
            // environment allows a mixed fleet: then, past its gate, it keeps what is recorded, as a single server does.
            try
            {
                return await fleet.WaitAsync(host, Stage.Committed, (_, stage) => stage >= Stage.Committed,
                    () => !(fleet.AnyFailed && fleet._rollbackUpdatedHosts), cancellation);
            }
            catch (OperationCanceledException) when (!fleet._rollbackUpdatedHosts)
            {
                return true;
            }
        }
    }
}
