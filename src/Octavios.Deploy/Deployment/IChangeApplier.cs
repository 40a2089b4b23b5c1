using Octavios.Deploy.Configuration;
using Octavios.Deploy.Records;

namespace Octavios.Deploy.Deployment;

/// <summary>
/// What one kind of environment does for a change; <see cref="DeployTransaction"/> does the rest (lock, records,
/// journal, hooks, backup, uploads, commit or undo, audit), the same for every kind.
/// </summary>
public interface IChangeApplier
{
    /// <summary>Files this kind needs on the target beside the request's own, written in the same round trip (a Swarm's stack files).</summary>
    IReadOnlyDictionary<string, string> Uploads { get; }

    /// <summary>Read-only work before anything changes (the Compose probe, the pull): a failure here leaves nothing to undo.</summary>
    Task PrepareAsync(DeployRequest request, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation);

    /// <summary>The containers each selected service runs now, which an undo keeps; journaled with the change.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RunningAsync(IReadOnlyList<SelectedService> services, CancellationToken cancellation);

    /// <summary>
    /// The selected services' release commands (a migration), each in a one-off container of its new version: before the
    /// change starts any container, after the pull. Throws when one fails; nothing of the change has run then.
    /// </summary>
    Task ReleaseAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, string token, CancellationToken cancellation);

    /// <summary>The change and its gate: returns once every selected service runs <paramref name="versions"/>, healthy; throws otherwise.</summary>
    Task ApplyAsync(IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, DeployJournal journal, CancellationToken cancellation);

    /// <summary>
    /// Puts <paramref name="versions"/> back after <paramref name="failure"/> of <see cref="ApplyAsync"/>: what it did,
    /// in words for the audit line. Throws when what runs afterwards is not known (the journal then stays).
    /// </summary>
    Task<string> UndoAsync(Exception failure, IReadOnlyList<SelectedService> services, IReadOnlyDictionary<string, string> versions, DeployJournal journal, CancellationToken cancellation);

    /// <summary>
    /// Puts back an earlier run's unfinished change (<paramref name="journal"/>) to the recorded <paramref name="versions"/>,
    /// by the repair journaled with it: "put back", or what went wrong while what runs is known. Throws when it is not.
    /// </summary>
    Task<string> RepairAsync(DeployJournal journal, IReadOnlyDictionary<string, string> versions, CancellationToken cancellation);

    /// <summary>
    /// The repair journaled with a change: what puts <paramref name="journal"/>'s change back to <paramref name="recorded"/>,
    /// run by the server itself when the run's client is lost (<see cref="Commands.LockCommands.Supervise"/>) and first by
    /// the next run; one command without secrets, exit 0 once done, on the server's copies of the files it needs.
    /// </summary>
    Task<JournaledRepair> RepairOfAsync(DeployJournal journal, IReadOnlyDictionary<string, string> recorded, CancellationToken cancellation);

    /// <summary>How long an undo may take, whatever signal comes meanwhile (a second one kills the process).</summary>
    TimeSpan UndoBound { get; }

    /// <summary>What the user should know once the change is done (an old container that ignored SIGTERM).</summary>
    IEnumerable<string> Warnings { get; }
}

/// <summary>A change's repair (<see cref="Command"/>) and the copies of the files it runs on, made when the journal is written.</summary>
public sealed record JournaledRepair(Commands.Command Command, IReadOnlyList<Commands.FileChange> Copies);

/// <summary>A service's release command exited non-zero: the deploy stops before any container of the new version starts.</summary>
public sealed class ReleaseCommandFailedException(string service, int exitCode) : Exception(
    $"{service}: its release command exited {exitCode} (its output is above), so no container of the new version was started");

/// <summary>An undo or repair that could not finish: what runs now is not known, so the journal stays for the next run.</summary>
public sealed class ChangeNotSettledException(string message) : Exception(message);
