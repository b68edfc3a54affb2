namespace Exchange.Domain.Provisions;

/// <summary>What the Merkle tree is computed from: the entries' hashes and the stored subtree hashes.</summary>
public interface ITreeSource
{
    /// <summary>The entry hashes (32 bytes each) of the leaves in <paramref name="range"/>, in order: the leaf at index i is entry i + 1.</summary>
    Task<IReadOnlyList<byte[]>> EntryHashesAsync(TreeRange range, CancellationToken cancellationToken);

    /// <summary>The stored hashes of those of <paramref name="nodes"/> that are stored.</summary>
    Task<IReadOnlyDictionary<TreeNode, byte[]>> StoredNodesAsync(IReadOnlyCollection<TreeNode> nodes, CancellationToken cancellationToken);
}
