namespace Exchange.Storage.Entities;

/// <summary>An exceptional provision: its wire form, kept whole (it is written once, read by administrators).</summary>
internal sealed class ExceptionalProvisionRow
{
    public required string Id { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public required byte[] Data { get; set; }
}

/// <summary>A provision-log entry that records an exceptional provision: how a person's report finds it.</summary>
internal sealed class ExceptionalProvisionEntryRow
{
    public long Sequence { get; set; }
    public required string ProvisionId { get; set; }
}

/// <summary>A finished retention run, its wire form kept whole, numbered in the order runs finished.</summary>
internal sealed class RetentionRunRow
{
    public long Sequence { get; set; }
    public required string Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public required byte[] Data { get; set; }
}

/// <summary>The one row saying through which entry retention has reduced the provision log.</summary>
internal sealed class LogReductionRow
{
    public int Id { get; set; }
    public long ReducedThrough { get; set; }
}
