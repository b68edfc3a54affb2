namespace Exchange.Domain.Records;

/// <summary>How a customer's record changed at the hub.</summary>
public enum RecordChangeKind
{
    /// <summary>A new record.</summary>
    Created,

    /// <summary>An existing record replaced by different content (a correction).</summary>
    Corrected,

    /// <summary>The record was deleted by its owner (or a vendor for it).</summary>
    Deleted,
}
