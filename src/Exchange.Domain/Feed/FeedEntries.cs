using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Feed;

/// <summary>The feed events that are not about a record.</summary>
public static class FeedEntries
{
    /// <summary>A published declaration version, for every partner.</summary>
    public static FeedEntry DeclarationPublished(DeclarationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var message = new FeedEvent
        {
            OccurredAt = Timestamp.FromDateTimeOffset(record.PublishedAt),
            DeclarationPublished = new DeclarationPublished { Version = record.Version, EffectiveFrom = Timestamp.FromDateTimeOffset(record.EffectiveAt), Hash = record.Hash },
        };
        return new FeedEntry(FeedEntry.Broadcast, FeedEventKind.DeclarationPublished, record.PublishedAt, null, null, null, null, [], message.ToByteArray());
    }

    /// <summary>
    /// A party's certificate passing a warning threshold before its expiry, <paramref name="daysLeft"/>
    /// whole days left at <paramref name="now"/>; keyed by certificate and threshold, so that every
    /// instance that notices it stores it once between them.
    /// </summary>
    public static FeedEntry CertificateExpiring(string partyId, string serialNumber, DateTimeOffset notAfter, int threshold, int daysLeft, DateTimeOffset now)
    {
        var message = new FeedEvent
        {
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            CertificateExpiring = new CertificateExpiring { SerialNumber = serialNumber, NotAfter = Timestamp.FromDateTimeOffset(notAfter), DaysLeft = daysLeft },
        };
        return new FeedEntry(partyId, FeedEventKind.CertificateExpiring, now, null, null, null, null, [], message.ToByteArray(), $"certificate-expiring:{serialNumber}:{threshold}");
    }

    /// <summary>
    /// A person's cessation of use or of provision, for a partner that received the record for
    /// <paramref name="purposes"/> (those of the stopped purposes it received it for).
    /// </summary>
    public static FeedEntry ProcessingStopped(string recipient, string ownerParty, string customerRef, string subjectId, IReadOnlyList<string> purposes, string requestId, DateTimeOffset now)
    {
        var message = new FeedEvent
        {
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            ProcessingStopped = new ProcessingStopped { OwnerParty = ownerParty, CustomerRef = customerRef, SubjectId = subjectId, Purposes = { purposes }, RequestId = requestId },
        };
        return new FeedEntry(recipient, FeedEventKind.ProcessingStopped, now, ownerParty, customerRef, subjectId, null, [], message.ToByteArray(), RequestId: requestId);
    }

    /// <summary>
    /// The <paramref name="reminder"/>th reminder of the unacknowledged event at
    /// <paramref name="feedSequence"/>; keyed by it, so that instances reminding at once store it once.
    /// </summary>
    public static FeedEntry PropagationReminder(string recipient, string requestId, long feedSequence, DateTimeOffset sentAt, int reminder, DateTimeOffset now)
    {
        var message = new FeedEvent
        {
            OccurredAt = Timestamp.FromDateTimeOffset(now),
            PropagationReminder = new PropagationReminder { RequestId = requestId, FeedSequence = feedSequence, SentAt = Timestamp.FromDateTimeOffset(sentAt), Reminder = reminder },
        };
        return new FeedEntry(recipient, FeedEventKind.PropagationReminder, now, null, null, null, null, [], message.ToByteArray(), $"propagation-reminder:{feedSequence}:{reminder}");
    }
}
