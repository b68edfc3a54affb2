namespace Exchange.Domain.Provisions;

/// <summary>
/// The hub's signed note that a verification found the chain intact from its first entry through
/// the checkpoint at <see cref="Sequence"/>: the next verification starts there.
/// </summary>
/// <param name="Sequence">The checkpoint's entry.</param>
/// <param name="EntryHash">That entry's hash.</param>
/// <param name="VerifiedAt">When the verification that recorded it ended.</param>
/// <param name="Signature">By the hub's log key over <see cref="ProvisionChain.VerifiedPayload"/>: the database alone cannot move it forward.</param>
public sealed record VerifiedCheckpoint(long Sequence, string EntryHash, DateTimeOffset VerifiedAt, byte[] Signature);
