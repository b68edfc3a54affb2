using Exchange.Contracts.V1;

namespace Exchange.Domain.Oversight;

/// <summary>What the operator's oversight reads and keeps; storage implements it.</summary>
public interface IOversightStore
{
    /// <summary>Stores an exceptional provision and the log entries that record it; joins the current unit of work.</summary>
    Task AddExceptionalAsync(ExceptionalProvision provision, CancellationToken cancellationToken);

    /// <summary>Exceptional provisions, newest first, recorded before <paramref name="before"/> (null: from the newest).</summary>
    Task<IReadOnlyList<ExceptionalProvision>> ListExceptionalAsync(int limit, ExceptionalPosition? before, CancellationToken cancellationToken);

    /// <summary>The exceptional provisions that the log entries at <paramref name="sequences"/> record, by sequence.</summary>
    Task<IReadOnlyDictionary<long, ExceptionalProvision>> ExceptionalAtAsync(IReadOnlyCollection<long> sequences, CancellationToken cancellationToken);

    /// <summary>
    /// Every provision-log entry by which <paramref name="party"/> received a person's data (as
    /// recipient, or as the vendor acting for one) from <paramref name="from"/> (inclusive) to
    /// <paramref name="to"/> (exclusive), in log order.
    /// </summary>
    IAsyncEnumerable<ReceivedData> ReceivedByAsync(string party, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The records the hub holds of the persons named, by subject ID.</summary>
    Task<IReadOnlyDictionary<string, CustomerKey>> RecordsOfAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken);

    /// <summary>Deletes (or with <paramref name="dryRun"/> counts) customer records last changed before <paramref name="changedBefore"/>, in short transactions of their own.</summary>
    Task<long> DisposeCustomersAsync(DateTimeOffset changedBefore, bool dryRun, CancellationToken cancellationToken);

    /// <summary>Deletes (or counts) every customer record of <paramref name="ownerParty"/>, in short transactions of their own.</summary>
    Task<long> DisposeCustomersOfAsync(string ownerParty, bool dryRun, CancellationToken cancellationToken);

    /// <summary>Stores a finished retention run.</summary>
    Task AddRunAsync(RetentionRun run, CancellationToken cancellationToken);

    /// <summary>Earlier runs, newest first.</summary>
    Task<IReadOnlyList<RetentionRun>> ListRunsAsync(int limit, CancellationToken cancellationToken);
}
