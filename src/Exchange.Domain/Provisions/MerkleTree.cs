using System.Security.Cryptography;

namespace Exchange.Domain.Provisions;

/// <summary>
/// The provision log's Merkle tree, hashed as RFC 6962 and RFC 9162 §2.1 define: a leaf is
/// <c>SHA-256(0x00 ‖ leaf data)</c>, a node <c>SHA-256(0x01 ‖ left ‖ right)</c>, and a tree of n
/// leaves splits at the largest power of two below n. The leaf data of entry s (leaf s − 1) is its
/// 32-byte entry hash (<see cref="ProvisionChain"/>), which outlives the entry's content.
/// Proofs are in RFC 9162's order (nearest the leaf first), which Go's <c>sumdb/tlog</c> shares.
/// </summary>
public static class MerkleTree
{
    /// <summary>The height of the smallest stored subtree: 256 leaves, a C2SP tile's width.</summary>
    public const int TileLevel = 8;

    /// <summary>The leaves of the smallest stored subtree.</summary>
    public const int TileWidth = 1 << TileLevel;

    /// <summary>The hash of a Merkle tree with no leaves: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot => SHA256.HashData([]);

    /// <summary>The leaf hash of <paramref name="data"/>.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[1 + data.Length];
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>The hash of an interior node over <paramref name="left"/> and <paramref name="right"/>.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The leaf hash of the entry whose entry hash is <paramref name="entryHash"/> (lower-case hex as stored).</summary>
    public static byte[] EntryLeafHash(string entryHash) => LeafHash(EntryLeafData(entryHash));

    /// <summary>The leaf data of an entry: its entry hash's 32 bytes; text that is not one (an altered row) as its UTF-8.</summary>
    public static byte[] EntryLeafData(string entryHash) =>
        entryHash.Length == 64 && entryHash.All(char.IsAsciiHexDigitLower) ? Convert.FromHexString(entryHash) : System.Text.Encoding.UTF8.GetBytes(entryHash);

    /// <summary>The root of the tree whose leaf hashes are <paramref name="leaves"/>.</summary>
    public static byte[] RootOfLeaves(IReadOnlyList<byte[]> leaves) => leaves.Count == 0 ? EmptyRoot : RootOf(leaves, 0, leaves.Count);

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2): where a tree of n leaves splits.</summary>
    public static long Split(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));

    /// <summary>
    /// The subtrees whose hashes prove leaf <paramref name="index"/> in the tree of
    /// <paramref name="size"/> leaves (RFC 9162 §2.1.3.1), nearest the leaf first.
    /// </summary>
    public static IReadOnlyList<TreeRange> InclusionPath(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var path = new List<TreeRange>();
        var (lo, hi) = (0L, size);
        while (hi - lo > 1)
        {
            var k = Split(hi - lo);
            if (index < lo + k)
            {
                path.Add(new TreeRange(lo + k, hi));
                hi = lo + k;
            }
            else
            {
                path.Add(new TreeRange(lo, lo + k));
                lo += k;
            }
        }

        path.Reverse();
        return path;
    }

    /// <summary>
    /// The subtrees whose hashes prove that the tree of <paramref name="first"/> leaves is a prefix
    /// of the tree of <paramref name="second"/> (RFC 9162 §2.1.4.1), in RFC order; none when equal.
    /// </summary>
    public static IReadOnlyList<TreeRange> ConsistencyPath(long first, long second)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var path = new List<TreeRange>();
        var (lo, hi) = (0L, second);
        while (first != hi)
        {
            var k = Split(hi - lo);
            if (first <= lo + k)
            {
                path.Add(new TreeRange(lo + k, hi));
                hi = lo + k;
            }
            else
            {
                path.Add(new TreeRange(lo, lo + k));
                lo += k;
            }
        }

        if (lo > 0)
        {
            path.Add(new TreeRange(lo, hi));
        }

        path.Reverse();
        return path;
    }

    /// <summary>True when <paramref name="proof"/> proves <paramref name="leafHash"/> at <paramref name="index"/> in the tree of <paramref name="size"/> leaves with root <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size)
        {
            return false;
        }

        var path = InclusionPath(index, size);
        if (path.Count != proof.Count)
        {
            return false;
        }

        var hash = leafHash.ToArray();
        for (var i = 0; i < path.Count; i++)
        {
            hash = path[i].Start > index ? NodeHash(hash, proof[i]) : NodeHash(proof[i], hash);
        }

        return hash.AsSpan().SequenceEqual(root);
    }

    /// <summary>True when <paramref name="proof"/> proves the tree (<paramref name="first"/>, <paramref name="firstRoot"/>) a prefix of (<paramref name="second"/>, <paramref name="secondRoot"/>).</summary>
    public static bool VerifyConsistency(long first, ReadOnlySpan<byte> firstRoot, long second, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 1 || first > second)
        {
            return false;
        }

        if (first == second)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        var result = Run(proof, proof.Count, 0, second, first, firstRoot.ToArray());
        return result is var (oldRoot, newRoot) && oldRoot.AsSpan().SequenceEqual(firstRoot) && newRoot.AsSpan().SequenceEqual(secondRoot);
    }

    // Recomputes the subtree [lo, hi) as it was at size n and as it is, from the first `count` proof hashes (the last is the top).
    private static (byte[] Old, byte[] New)? Run(IReadOnlyList<byte[]> proof, int count, long lo, long hi, long n, byte[] old)
    {
        if (n == hi)
        {
            return lo == 0 ? (count == 0 ? (old, old) : null) : (count == 1 ? (proof[0], proof[0]) : null);
        }

        if (count == 0)
        {
            return null;
        }

        var k = Split(hi - lo);
        var top = proof[count - 1];
        if (n <= lo + k)
        {
            return Run(proof, count - 1, lo, lo + k, n, old) is var (o, t) ? (o, NodeHash(t, top)) : null;
        }

        return Run(proof, count - 1, lo + k, hi, n, old) is var (o2, t2) ? (NodeHash(top, o2), NodeHash(top, t2)) : null;
    }

    private static byte[] RootOf(IReadOnlyList<byte[]> leaves, int lo, int hi)
    {
        if (hi - lo == 1)
        {
            return leaves[lo];
        }

        var k = (int)Split(hi - lo);
        return NodeHash(RootOf(leaves, lo, lo + k), RootOf(leaves, lo + k, hi));
    }
}
