namespace Exchange.Domain.Provisions;

/// <summary>That the tree of <see cref="FirstSize"/> leaves is a prefix of the tree of <see cref="SecondSize"/>.</summary>
/// <param name="FirstSize">The older tree.</param>
/// <param name="SecondSize">The newer tree.</param>
/// <param name="Hashes">The proof in RFC 9162's order.</param>
public sealed record ConsistencyProof(long FirstSize, long SecondSize, IReadOnlyList<byte[]> Hashes);
