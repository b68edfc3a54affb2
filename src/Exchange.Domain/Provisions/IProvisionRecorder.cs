namespace Exchange.Domain.Provisions;

/// <summary>
/// Records provision-log entries that accompany no change of data: provisions to a reader and
/// refusals. The entries are stored and chained when the task completes, so a caller that awaits it
/// before answering never provides anything unrecorded. Storage may commit the entries of concurrent
/// calls together.
/// </summary>
public interface IProvisionRecorder
{
    /// <summary>Stores <paramref name="facts"/> at the head of the chain, in order.</summary>
    Task RecordAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken);
}
