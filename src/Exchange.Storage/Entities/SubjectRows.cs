namespace Exchange.Storage.Entities;

#pragma warning disable CA1819 // Byte-array properties are how EF maps BLOB columns.

/// <summary>
/// A person's request: the encoded <c>SubjectRequest</c> (without its propagations), and the
/// columns it is found and listed by. Owners holds the owning garages between spaces (" a b "),
/// so that a garage's requests are found by one comparison.
/// </summary>
internal sealed class SubjectRequestRow
{
    public long Sequence { get; set; }
    public required string Id { get; set; }
    public int Kind { get; set; }
    public int Status { get; set; }
    public required string OpenedBy { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public required string Owners { get; set; }
    public required byte[] Body { get; set; }
}

/// <summary>One partner a request's change was sent to, and its acknowledgement.</summary>
internal sealed class SubjectRequestPropagationRow
{
    public required string RequestId { get; set; }
    public required string Partner { get; set; }
    public long FeedSequence { get; set; }
    public DateTimeOffset SentAt { get; set; }
    public int Outcome { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public int RefusalGround { get; set; }
    public string? RefusalReason { get; set; }
    public int Reminders { get; set; }
    public DateTimeOffset? LastRemindedAt { get; set; }
    public DateTimeOffset NextReminderAt { get; set; }
}
