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
}
