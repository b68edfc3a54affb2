using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The Merkle tree's stored subtrees, written by both append paths, against the tree recomputed from every entry.</summary>
public abstract class ProvisionTreeStoreTests(DatabaseProvider provider) : StorageTest(provider)
{
    [Fact]
    public async Task Appends_of_any_size_store_each_complete_subtree_of_256_entries_and_up_once()
    {
        var recorder = Storage.Services.GetRequiredService<IProvisionRecorder>();
        var call = 0;
        foreach (var size in new[] { 1, 254, 2, 300, 3, 500, 1, 1000, 39 })
        {
            var facts = Enumerable.Range(0, size).Select(_ => Fact(call++)).ToList();
            if (size % 2 == 0)
            {
                await recorder.RecordAsync(facts, Ct);
            }
            else
            {
                using var scope = Storage.Services.CreateScope();
                var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
                await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync(facts, ct), Ct);
            }
        }

        using var read = Storage.Services.CreateScope();
        var db = read.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        var leaves = (await db.ProvisionEntries.AsNoTracking().OrderBy(p => p.Sequence).Select(p => p.EntryHash).ToListAsync(Ct)).Select(MerkleTree.EntryLeafHash).ToList();
        Assert.Equal(2100, leaves.Count);

        // 8 tiles of 256, 4 of 512, 2 of 1024, 1 of 2048.
        var stored = await db.TreeNodes.AsNoTracking().ToListAsync(Ct);
        Assert.Equal(15, stored.Count);
        foreach (var row in stored)
        {
            var range = TreeNode.FromKey(row.Key).Range;
            Assert.Equal(MerkleTree.RootOfLeaves(leaves.GetRange((int)range.Start, (int)range.Size)), row.Hash);
        }

        var tree = read.ServiceProvider.GetRequiredService<IProvisionTreeStore>();
        Assert.Equal(2100, await tree.SizeAsync(Ct));
        foreach (var size in new[] { 1, 256, 257, 1999, 2100 })
        {
            Assert.Equal(MerkleTree.RootOfLeaves(leaves.GetRange(0, size)), await new TreeHasher(tree).RootAsync(size, Ct));
        }
    }

    private static ProvisionFact Fact(int call) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, "subject-" + call, ["contact.name"], "marketing", 1, new string('a', 64), "call_" + call, ProvisionOutcome.Provided, null);
}

/// <summary>The tree on a real SQLite file.</summary>
public sealed class ProvisionTreeStoreOnSqliteTests() : ProvisionTreeStoreTests(DatabaseProvider.Sqlite);

/// <summary>The tree on a real PostgreSQL database.</summary>
public sealed class ProvisionTreeStoreOnPostgresTests() : ProvisionTreeStoreTests(DatabaseProvider.Postgres);
