using Exchange.Contracts.V1;

namespace Exchange.Domain.Records;

/// <summary>What became of one numbered change.</summary>
/// <param name="Sequence">The change's sequence number.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Error">Why it was refused, or why a deletion found nothing; null otherwise.</param>
/// <param name="SubjectId">The person's pseudonymous ID, when the change named a valid customer.</param>
public sealed record AppliedChange(long Sequence, SyncOutcome Outcome, ExchangeException? Error, string? SubjectId);
