namespace Exchange.Domain.Records;

/// <summary>What one committed group of a sync acknowledges.</summary>
/// <param name="ThroughSequence">Every change through this sequence is durable.</param>
/// <param name="Results">One per change of the group, in the order they arrived.</param>
public sealed record SyncAcknowledgement(long ThroughSequence, IReadOnlyList<AppliedChange> Results);
