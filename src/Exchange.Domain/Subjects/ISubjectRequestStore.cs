using Exchange.Contracts.V1;

namespace Exchange.Domain.Subjects;

/// <summary>
/// Persons' requests and their propagations; storage implements it. Writes join the current unit of
/// work.
/// </summary>
public interface ISubjectRequestStore
{
    /// <summary>Stores a new request (its propagations are stored apart).</summary>
    Task AddAsync(SubjectRequest request, CancellationToken cancellationToken);

    /// <summary>Replaces a stored request's state (status, verification, times, refusal).</summary>
    Task UpdateAsync(SubjectRequest request, CancellationToken cancellationToken);

    /// <summary>The request with its propagations (in partner order), or null.</summary>
    Task<SubjectRequest?> FindAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="query"/>'s limit of requests, newest first, with their propagations,
    /// and the position to go on from when more may follow.
    /// </summary>
    Task<(IReadOnlyList<SubjectRequest> Requests, long? Next)> ListAsync(SubjectRequestQuery query, CancellationToken cancellationToken);

    /// <summary>Stores propagations, each due for its first reminder at <paramref name="remindAt"/>.</summary>
    Task AddPropagationsAsync(IReadOnlyList<Propagation> propagations, DateTimeOffset remindAt, CancellationToken cancellationToken);

    /// <summary>Records a partner's acknowledgement of a pending propagation; false when it is no longer pending.</summary>
    Task<bool> AcknowledgeAsync(Propagation acknowledged, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> pending propagations due for a reminder at <paramref name="now"/>, oldest due first.</summary>
    Task<IReadOnlyList<Propagation>> DueForReminderAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a reminder of a propagation that is still pending with <paramref name="remindersBefore"/>
    /// reminders, and sets the next one due; false when another instance counted it first.
    /// </summary>
    Task<bool> CountReminderAsync(string requestId, string partner, int remindersBefore, DateTimeOffset at, DateTimeOffset nextAt, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes (or with <paramref name="dryRun"/> counts) the completed and refused requests opened
    /// before <paramref name="openedBefore"/>, with their propagations; returns how many requests.
    /// </summary>
    Task<long> DisposeFinishedAsync(DateTimeOffset openedBefore, bool dryRun, CancellationToken cancellationToken);
}
