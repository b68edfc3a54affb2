namespace Exchange.Domain.Provisions;

/// <summary>That entry <see cref="Sequence"/> is leaf <c>Sequence − 1</c> of the tree of <see cref="TreeSize"/> leaves.</summary>
/// <param name="Sequence">The entry.</param>
/// <param name="TreeSize">The tree the proof is against.</param>
/// <param name="EntryHash">The entry's hash: the leaf data.</param>
/// <param name="LeafHash">SHA-256(0x00 ‖ entry hash bytes).</param>
/// <param name="Hashes">The proof, nearest the leaf first (RFC 9162).</param>
public sealed record InclusionProof(long Sequence, long TreeSize, string EntryHash, byte[] LeafHash, IReadOnlyList<byte[]> Hashes);
