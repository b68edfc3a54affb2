namespace Exchange.Domain.Records;

/// <summary>
/// Receives every change to customer records inside the transaction that makes it, so that what
/// follows from a change (events for the partners that received the record) commits with it or not at all.
/// </summary>
public interface IRecordChanges
{
    /// <summary>Records the consequences of <paramref name="changes"/> in the current unit of work.</summary>
    Task RecordAsync(IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken);
}
