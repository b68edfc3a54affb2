namespace Exchange.Domain.Provisions;

/// <summary>
/// Computes subtree hashes of the provision log's Merkle tree from a <see cref="ITreeSource"/>:
/// complete aligned subtrees of <see cref="MerkleTree.TileWidth"/> leaves and up are read from
/// storage, smaller ones are hashed from the entries' hashes. For a root or a proof that is one
/// read of the stored hashes it needs (O(log n) of them) and of the leaves of at most two tiles.
/// A stored subtree that is missing is computed from below and kept in <see cref="Derived"/>,
/// so that the append path can store it.
/// </summary>
public sealed class TreeHasher(ITreeSource source)
{
    private readonly Dictionary<TreeNode, byte[]> _known = [];
    private readonly HashSet<TreeNode> _asked = [];
    private readonly Dictionary<long, byte[]> _leaves = [];
    private readonly Dictionary<TreeNode, byte[]> _derived = [];

    /// <summary>Stored-size subtrees that storage did not have, computed from below.</summary>
    public IReadOnlyDictionary<TreeNode, byte[]> Derived => _derived;

    /// <summary>The hashes of <paramref name="ranges"/>, each an RFC 9162 subtree (of a proof, or a whole tree).</summary>
    public async Task<IReadOnlyList<byte[]>> HashesAsync(IReadOnlyList<TreeRange> ranges, CancellationToken cancellationToken)
    {
        var nodes = new HashSet<TreeNode>();
        var leafRanges = new List<TreeRange>();
        foreach (var range in ranges)
        {
            Plan(range, nodes, leafRanges);
        }

        nodes.RemoveWhere(n => _known.ContainsKey(n) || _asked.Contains(n));
        if (nodes.Count > 0)
        {
            foreach (var (node, hash) in await source.StoredNodesAsync(nodes, cancellationToken).ConfigureAwait(false))
            {
                _known[node] = hash;
            }

            _asked.UnionWith(nodes);
        }

        foreach (var range in Merge(leafRanges))
        {
            var hashes = await LeafHashesAsync(range, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < hashes.Count; i++)
            {
                _leaves[range.Start + i] = hashes[i];
            }
        }

        var result = new byte[ranges.Count][];
        for (var i = 0; i < ranges.Count; i++)
        {
            result[i] = await HashAsync(ranges[i], cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The root of the tree of the first <paramref name="size"/> leaves.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken cancellationToken) =>
        size == 0 ? MerkleTree.EmptyRoot : (await HashesAsync([new TreeRange(0, size)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>The leaf hashes of <paramref name="range"/>; fails when storage lacks any of its entries.</summary>
    public async Task<IReadOnlyList<byte[]>> LeafHashesAsync(TreeRange range, CancellationToken cancellationToken)
    {
        var entries = await source.EntryHashesAsync(range, cancellationToken).ConfigureAwait(false);
        if (entries.Count != range.Size)
        {
            throw new InvalidOperationException($"The provision log lacks entries between {range.Start + 1} and {range.End}: {entries.Count} of {range.Size} found.");
        }

        return entries.Select(e => MerkleTree.LeafHash(e)).ToList();
    }

    private static bool IsStored(TreeRange range, out TreeNode node)
    {
        var size = range.Size;
        var level = 63 - (int)long.LeadingZeroCount(size);
        node = new TreeNode(level, range.Start >> level);
        return size >= MerkleTree.TileWidth && (size & (size - 1)) == 0 && range.Start % size == 0;
    }

    private static void Plan(TreeRange range, HashSet<TreeNode> nodes, List<TreeRange> leaves)
    {
        if (IsStored(range, out var node))
        {
            nodes.Add(node);
        }
        else if (range.Size <= MerkleTree.TileWidth)
        {
            leaves.Add(range);
        }
        else
        {
            var k = MerkleTree.Split(range.Size);
            Plan(new TreeRange(range.Start, range.Start + k), nodes, leaves);
            Plan(new TreeRange(range.Start + k, range.End), nodes, leaves);
        }
    }

    private static IEnumerable<TreeRange> Merge(List<TreeRange> ranges)
    {
        TreeRange? current = null;
        foreach (var range in ranges.OrderBy(r => r.Start))
        {
            if (current is { } c && range.Start <= c.End)
            {
                current = new TreeRange(c.Start, Math.Max(c.End, range.End));
                continue;
            }

            if (current is { } done)
            {
                yield return done;
            }

            current = range;
        }

        if (current is { } last)
        {
            yield return last;
        }
    }

    private async Task<byte[]> HashAsync(TreeRange range, CancellationToken cancellationToken)
    {
        if (IsStored(range, out var node))
        {
            if (_known.TryGetValue(node, out var known))
            {
                return known;
            }

            if (_asked.Add(node) && (await source.StoredNodesAsync([node], cancellationToken).ConfigureAwait(false)).TryGetValue(node, out var stored))
            {
                _known[node] = stored;
                return stored;
            }

            byte[] hash;
            if (node.Level == MerkleTree.TileLevel)
            {
                hash = MerkleTree.RootOfLeaves(await LeavesAsync(range, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                var half = range.Start + (range.Size / 2);
                var left = await HashAsync(new TreeRange(range.Start, half), cancellationToken).ConfigureAwait(false);
                var right = await HashAsync(new TreeRange(half, range.End), cancellationToken).ConfigureAwait(false);
                hash = MerkleTree.NodeHash(left, right);
            }

            _known[node] = hash;
            _derived[node] = hash;
            return hash;
        }

        if (range.Size <= MerkleTree.TileWidth)
        {
            return MerkleTree.RootOfLeaves(await LeavesAsync(range, cancellationToken).ConfigureAwait(false));
        }

        var k = MerkleTree.Split(range.Size);
        var first = await HashAsync(new TreeRange(range.Start, range.Start + k), cancellationToken).ConfigureAwait(false);
        var second = await HashAsync(new TreeRange(range.Start + k, range.End), cancellationToken).ConfigureAwait(false);
        return MerkleTree.NodeHash(first, second);
    }

    private async Task<IReadOnlyList<byte[]>> LeavesAsync(TreeRange range, CancellationToken cancellationToken)
    {
        var planned = new byte[range.Size][];
        for (var i = range.Start; i < range.End; i++)
        {
            if (!_leaves.TryGetValue(i, out var leaf))
            {
                return await LeafHashesAsync(range, cancellationToken).ConfigureAwait(false);
            }

            planned[i - range.Start] = leaf;
        }

        return planned;
    }
}
