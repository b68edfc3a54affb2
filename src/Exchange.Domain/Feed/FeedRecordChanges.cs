using Exchange.Contracts.V1;
using Exchange.Domain.Records;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Feed;

/// <summary>
/// Turns record changes into feed events, in the transaction that makes them: a correction or a
/// deletion for each partner that received the person's record earlier (the provision log says
/// who, for which purpose and which items), and, for a change a vendor made, one for the garage.
/// </summary>
public sealed class FeedRecordChanges(IFeedStore feed) : IRecordChanges
{
    /// <inheritdoc/>
    public async Task RecordAsync(IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken)
    {
        var followed = changes.Where(c => c.Kind is RecordChangeKind.Corrected or RecordChangeKind.Deleted).Select(c => c.SubjectId).Distinct(StringComparer.Ordinal).ToList();
        var earlier = followed.Count == 0 ? [] : await feed.EarlierProvisionsAsync(followed, cancellationToken).ConfigureAwait(false);
        var bySubject = earlier.ToLookup(e => e.SubjectId, StringComparer.Ordinal);
        var entries = new List<FeedEntry>();
        foreach (var change in changes)
        {
            if (change.Kind is RecordChangeKind.Corrected or RecordChangeKind.Deleted)
            {
                var partners = bySubject[change.SubjectId].Where(e => e.Recipient != change.OwnerParty && e.Provider == change.OwnerParty).GroupBy(e => e.Recipient, StringComparer.Ordinal);
                entries.AddRange(partners.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ForPartner(change, p.ToList())));
            }

            if (change.Agent is not null)
            {
                entries.Add(ForGarage(change));
            }
        }

        if (entries.Count > 0)
        {
            await feed.AppendAsync(entries, cancellationToken).ConfigureAwait(false);
        }
    }

    // The purpose the partner last received the record for, with every item received for it.
    private static FeedEntry ForPartner(RecordChange change, List<EarlierProvision> provisions)
    {
        var purpose = provisions.MaxBy(p => p.Sequence)!.Purpose;
        var items = provisions.Where(p => p.Purpose == purpose).SelectMany(p => p.Items).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var recipient = provisions[0].Recipient;
        var message = new FeedEvent { OccurredAt = Timestamp.FromDateTimeOffset(change.At) };
        if (change.Kind == RecordChangeKind.Deleted)
        {
            message.RecordDeleted = new RecordDeleted { OwnerParty = change.OwnerParty, CustomerRef = change.CustomerRef, SubjectId = change.SubjectId, RequestId = change.RequestId ?? "" };
            return new FeedEntry(recipient, FeedEventKind.RecordDeleted, change.At, change.OwnerParty, change.CustomerRef, change.SubjectId, null, [], message.ToByteArray(), RequestId: change.RequestId);
        }

        message.RecordCorrected = new RecordCorrected { OwnerParty = change.OwnerParty, CustomerRef = change.CustomerRef, SubjectId = change.SubjectId, Purpose = purpose, Items = { items }, RequestId = change.RequestId ?? "" };
        return new FeedEntry(recipient, FeedEventKind.RecordCorrected, change.At, change.OwnerParty, change.CustomerRef, change.SubjectId, purpose, items, message.ToByteArray(), RequestId: change.RequestId);
    }

    private static FeedEntry ForGarage(RecordChange change)
    {
        var message = new FeedEvent
        {
            OccurredAt = Timestamp.FromDateTimeOffset(change.At),
            RecordChangedByVendor = new RecordChangedByVendor
            {
                VendorParty = change.Agent,
                CustomerRef = change.CustomerRef,
                SubjectId = change.SubjectId,
                CallId = change.CallId,
                Change = change.Kind switch
                {
                    RecordChangeKind.Created => ChangeKind.Created,
                    RecordChangeKind.Corrected => ChangeKind.Corrected,
                    _ => ChangeKind.Deleted,
                },
            },
        };
        return new FeedEntry(change.OwnerParty, FeedEventKind.RecordChangedByVendor, change.At, change.OwnerParty, change.CustomerRef, change.SubjectId, null, [], message.ToByteArray());
    }
}
