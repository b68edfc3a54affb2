using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The provision log's reads for verification on a real database.</summary>
public abstract class ProvisionLogStoreTests(DatabaseProvider provider) : StorageTest(provider)
{
    [Fact]
    public async Task Range_read_crosses_its_pages_in_order_and_stops_at_its_last_entry()
    {
        await AppendAsync(9_000);

        var all = await ReadRangeAsync(1, 8_999);
        var middle = await ReadRangeAsync(4_090, 4_100);
        var past = await ReadRangeAsync(8_999, 20_000);

        Assert.Equal(Enumerable.Range(1, 8_999).Select(i => (long)i), all);
        Assert.Equal(Enumerable.Range(4_090, 11).Select(i => (long)i), middle);
        Assert.Equal([8_999L, 9_000L], past);
        Assert.Empty(await ReadRangeAsync(9_001, 9_000));
    }

    [Fact]
    public async Task Newest_verified_checkpoint_is_the_one_furthest_along_the_chain()
    {
        var at = DateTimeOffset.UnixEpoch;
        await AddVerifiedAsync(new VerifiedCheckpoint(40, new string('4', 64), at, [4]));
        await AddVerifiedAsync(new VerifiedCheckpoint(70, new string('7', 64), at.AddTicks(7), [7]));
        await AddVerifiedAsync(new VerifiedCheckpoint(50, new string('5', 64), at, [5]));

        using var scope = Storage.Services.CreateScope();
        var last = await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().LastVerifiedAsync(Ct);

        Assert.NotNull(last);
        Assert.Equal((70L, new string('7', 64), at.AddTicks(7), (byte)7), (last.Sequence, last.EntryHash, last.VerifiedAt, last.Signature.Single()));
    }

    [Fact]
    public async Task The_acting_staff_member_is_stored_with_the_entry_and_reads_back_into_the_same_hash()
    {
        using var scope = Storage.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        var system = new ProvisionFact(DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, "subject-a", ["contact.name"], "marketing", 1, new string('a', 64), "call_1", ProvisionOutcome.Provided, null);
        ProvisionFact[] facts = [system, system with { CallId = "call_2", StaffId = "stf_0a1b2c" }, system with { CallId = "call_3", StaffId = "stf_ffeedd" }];

        var appended = await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => store.AppendAsync(facts, ct), Ct);
        var read = new List<ChainedProvision>();
        await foreach (var entry in store.ReadRangeAsync(1, 3, Ct))
        {
            read.Add(entry);
        }

        Assert.Equal([null, "stf_0a1b2c", "stf_ffeedd"], read.Select(e => e.Fact.StaffId));
        Assert.Equal(appended.Select(e => e.EntryHash), read.Select(e => ProvisionChain.Hash(e.Sequence, e.Fact, e.PreviousHash)));
    }

    private async Task AppendAsync(int entries)
    {
        using var scope = Storage.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        var facts = Enumerable.Range(0, entries).Select(_ => new ProvisionFact(
            DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, "subject-a", ["contact.name"], "marketing", 1, new string('a', 64), "call", ProvisionOutcome.Provided, null)).ToList();
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => store.AppendAsync(facts, ct), Ct);
    }

    private async Task AddVerifiedAsync(VerifiedCheckpoint verified)
    {
        using var scope = Storage.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(
            async ct =>
            {
                await store.AddVerifiedAsync(verified, ct);
                return 0;
            },
            Ct);
    }

    private async Task<List<long>> ReadRangeAsync(long first, long last)
    {
        using var scope = Storage.Services.CreateScope();
        var sequences = new List<long>();
        await foreach (var entry in scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ReadRangeAsync(first, last, Ct))
        {
            sequences.Add(entry.Sequence);
        }

        return sequences;
    }
}

/// <summary>The provision log's reads on a real SQLite file.</summary>
public sealed class ProvisionLogStoreOnSqliteTests() : ProvisionLogStoreTests(DatabaseProvider.Sqlite);

/// <summary>The provision log's reads on a real PostgreSQL database.</summary>
public sealed class ProvisionLogStoreOnPostgresTests() : ProvisionLogStoreTests(DatabaseProvider.Postgres);
