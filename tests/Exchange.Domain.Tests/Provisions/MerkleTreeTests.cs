using System.Security.Cryptography;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Tests.Provisions;

public sealed class MerkleTreeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Leaf_and_node_hashes_are_those_of_RFC_6962()
    {
        Assert.Equal(SHA256.HashData([0, 1, 2]), MerkleTree.LeafHash([1, 2]));
        var (left, right) = (new byte[32], Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.Equal(SHA256.HashData([1, .. left, .. right]), MerkleTree.NodeHash(left, right));
        Assert.Equal(SHA256.HashData([]), MerkleTree.RootOfLeaves([]));
    }

    [Fact]
    public void Every_inclusion_proof_checks_and_a_changed_leaf_fails_it()
    {
        var leaves = Leaves(70);
        for (var size = 1; size <= leaves.Count; size++)
        {
            var root = Reference(leaves, 0, size);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionPath(index, size).Select(r => Reference(leaves, (int)r.Start, (int)r.End)).ToList();
                Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], proof, root));
                Assert.False(MerkleTree.VerifyInclusion(index, size, MerkleTree.LeafHash([9]), proof, root));
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_checks_and_one_against_a_forked_tree_fails()
    {
        var leaves = Leaves(70);
        var forked = leaves.ToList();
        forked[3] = MerkleTree.LeafHash([9]);
        for (var second = 1; second <= leaves.Count; second++)
        {
            for (var first = 1; first <= second; first++)
            {
                var proof = MerkleTree.ConsistencyPath(first, second).Select(r => Reference(leaves, (int)r.Start, (int)r.End)).ToList();
                Assert.True(MerkleTree.VerifyConsistency(first, Reference(leaves, 0, first), second, Reference(leaves, 0, second), proof));
                if (first > 3)
                {
                    Assert.False(MerkleTree.VerifyConsistency(first, Reference(forked, 0, first), second, Reference(leaves, 0, second), proof));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(3333)]
    public async Task Stored_subtrees_and_entries_give_the_roots_and_proofs_of_the_whole_tree(int size)
    {
        var entries = Enumerable.Range(1, size).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();
        var leaves = entries.Select(e => MerkleTree.LeafHash(e)).ToList();
        var source = new MemorySource(entries);
        var hasher = new TreeHasher(source);

        Assert.Equal(Reference(leaves, 0, size), await hasher.RootAsync(size, Ct));
        foreach (var (node, hash) in hasher.Derived)
        {
            source.Nodes[node] = hash;
        }

        // With the stored subtrees it reads at most two tiles of entries, and the same hashes come out.
        var proof = await new TreeHasher(source).HashesAsync(MerkleTree.InclusionPath(size / 3, size), Ct);
        Assert.True(MerkleTree.VerifyInclusion(size / 3, size, leaves[size / 3], proof, Reference(leaves, 0, size)));
        source.EntriesRead = 0;
        Assert.Equal(Reference(leaves, 0, size), await new TreeHasher(source).RootAsync(size, Ct));
        Assert.True(source.EntriesRead < MerkleTree.TileWidth, $"read {source.EntriesRead} entries");
    }

    private static List<byte[]> Leaves(int count) => Enumerable.Range(0, count).Select(i => MerkleTree.LeafHash(BitConverter.GetBytes(i))).ToList();

    // RFC 6962's MTH, written out as the RFC states it.
    private static byte[] Reference(IReadOnlyList<byte[]> leaves, int lo, int hi)
    {
        if (hi - lo == 1)
        {
            return leaves[lo];
        }

        var k = 1;
        while (k * 2 < hi - lo)
        {
            k *= 2;
        }

        return MerkleTree.NodeHash(Reference(leaves, lo, lo + k), Reference(leaves, lo + k, hi));
    }

    private sealed class MemorySource(List<byte[]> entries) : ITreeSource
    {
        public Dictionary<TreeNode, byte[]> Nodes { get; } = [];

        public int EntriesRead { get; set; }

        public Task<IReadOnlyList<byte[]>> EntryHashesAsync(TreeRange range, CancellationToken cancellationToken)
        {
            EntriesRead += (int)range.Size;
            return Task.FromResult<IReadOnlyList<byte[]>>(entries.Skip((int)range.Start).Take((int)range.Size).ToList());
        }

        public Task<IReadOnlyDictionary<TreeNode, byte[]>> StoredNodesAsync(IReadOnlyCollection<TreeNode> nodes, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<TreeNode, byte[]>>(nodes.Where(Nodes.ContainsKey).ToDictionary(n => n, n => Nodes[n]));
    }
}
