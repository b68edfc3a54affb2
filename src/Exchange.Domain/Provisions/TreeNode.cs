namespace Exchange.Domain.Provisions;

/// <summary>
/// A complete, aligned subtree of the provision log's Merkle tree: the 2^<see cref="Level"/> leaves
/// from <c>Index · 2^Level</c>. The hub stores the hashes of such subtrees from
/// <see cref="MerkleTree.TileLevel"/> up, and derives the ones below from the entries.
/// </summary>
/// <param name="Level">Height of the subtree: 0 is one leaf.</param>
/// <param name="Index">Position among the subtrees of that height, from 0.</param>
public readonly record struct TreeNode(int Level, long Index)
{
    /// <summary>One number for the node, its stored key: the level in the top byte, the index below it.</summary>
    public long Key => ((long)Level << 56) | Index;

    /// <summary>The leaves the node covers.</summary>
    public TreeRange Range => new(Index << Level, (Index + 1) << Level);

    /// <summary>The node whose <see cref="Key"/> is <paramref name="key"/>.</summary>
    public static TreeNode FromKey(long key) => new((int)(key >> 56), key & ((1L << 56) - 1));
}
