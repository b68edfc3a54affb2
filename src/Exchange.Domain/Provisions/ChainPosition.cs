namespace Exchange.Domain.Provisions;

/// <summary>
/// Where a walk of the chain stands: the entry through which it found the chain intact, that
/// entry's hash, and what it counted on the way. A walk can go on from here.
/// </summary>
/// <param name="Sequence">The last entry found intact (0 before the first).</param>
/// <param name="EntryHash">Its hash (<see cref="ProvisionChain.Genesis"/> before the first).</param>
/// <param name="EntriesChecked">Entries checked so far.</param>
/// <param name="CheckpointsChecked">Checkpoints verified so far.</param>
/// <param name="VouchedThrough">The last entry a verified checkpoint signs over, or 0.</param>
/// <param name="VouchedHash">That entry's hash.</param>
public sealed record ChainPosition(long Sequence, string EntryHash, long EntriesChecked, long CheckpointsChecked, long VouchedThrough, string VouchedHash)
{
    /// <summary>Before the first entry.</summary>
    public static ChainPosition Genesis { get; } = new(0, ProvisionChain.Genesis, 0, 0, 0, ProvisionChain.Genesis);
}
