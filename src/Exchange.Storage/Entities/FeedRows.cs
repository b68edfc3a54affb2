namespace Exchange.Storage.Entities;

#pragma warning disable CA1819 // Byte-array properties are how EF maps BLOB columns.

/// <summary>
/// One change-feed event. The sequence is generated on insert, which happens only under the chain
/// lock (the one writer on SQLite), so sequence order is commit order (docs/feed.md).
/// </summary>
internal sealed class FeedEventRow
{
    public long Sequence { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public int Kind { get; set; }
    public required string Recipient { get; set; }
    public string? OwnerParty { get; set; }
    public string? CustomerRef { get; set; }
    public string? SubjectId { get; set; }
    public string? Purpose { get; set; }
    public string? Items { get; set; }
    public required byte[] Body { get; set; }
    public string? DedupKey { get; set; }

    // The person's request (Subjects) the event propagates.
    public string? RequestId { get; set; }
}

/// <summary>For one recipient (or the broadcast marker), the last event sequence retention disposed of.</summary>
internal sealed class FeedHorizonRow
{
    public required string Recipient { get; set; }
    public long PrunedThrough { get; set; }
}
