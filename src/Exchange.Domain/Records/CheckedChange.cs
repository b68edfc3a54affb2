namespace Exchange.Domain.Records;

/// <summary>
/// One record change checked as a write: what would be stored (or deleted), or why it is refused.
/// </summary>
/// <param name="Owner">The owning garage the change names (the caller, for a garage leaving it empty).</param>
/// <param name="CustomerRef">The customer reference it names.</param>
/// <param name="SubjectId">The person's pseudonymous ID, when the change names a valid customer.</param>
/// <param name="Items">The items the record carries (none for a deletion).</param>
/// <param name="Stored">The record to store, for a permitted upsert.</param>
/// <param name="Refusal">Why it is refused, or null.</param>
internal sealed record CheckedChange(string Owner, string CustomerRef, string? SubjectId, IReadOnlyList<string> Items, StoredCustomer? Stored, ExchangeException? Refusal);
