namespace Exchange.Domain.Records;

/// <summary>What storing one record did.</summary>
public enum UpsertOutcome
{
    /// <summary>The garage held no record under this customer_ref; one was created.</summary>
    Created,

    /// <summary>The stored record differed and was replaced.</summary>
    Replaced,

    /// <summary>The stored record was byte for byte the same; nothing was written.</summary>
    Unchanged,
}
