namespace Exchange.Domain.Records;

/// <summary>Where a search's next page starts: after the last match the previous page counted.</summary>
/// <param name="Position">That match's key in the store, which orders a search over every garage.</param>
/// <param name="CustomerRef">That match's customer_ref, which orders a search of one garage.</param>
public sealed record SearchPosition(long Position, string CustomerRef);
