using Exchange.Domain.Records;

namespace Exchange.Domain.Recalls;

/// <summary>
/// Recall matching on arrival: each record created or corrected is matched against every campaign,
/// and its repair orders naming a campaign mark their vehicles repaired, in the write's transaction.
/// </summary>
public sealed class RecallRecordChanges(RecallCampaigns campaigns) : IRecordChanges
{
    /// <inheritdoc/>
    public async Task RecordAsync(IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken)
    {
        var written = changes.Where(c => c.Record is not null).Select(c => (c, c.Record!)).ToList();
        if (written.Count > 0)
        {
            await campaigns.RecordWrittenAsync(written, cancellationToken).ConfigureAwait(false);
        }
    }
}
