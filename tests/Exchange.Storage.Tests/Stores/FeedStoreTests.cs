using Exchange.Domain.Feed;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The stored change feed on a real database: sequence order is commit order, and pruning keeps its horizon.</summary>
public abstract class FeedStoreTests(DatabaseProvider provider) : StorageTest(provider)
{
    private protected const string Recipient = "group-lotus";

    [Fact]
    public async Task Pruning_disposes_of_old_events_and_keeps_for_each_recipient_the_last_it_disposed_of()
    {
        var at = DateTimeOffset.UtcNow;
        await AppendAsync(Entry(Recipient), Entry("vendor-broadleaf"), Entry(FeedEntry.Broadcast));
        var stored = await ReadAsync(0);

        var pruned = await RunAsync(store => store.PruneAsync(at.AddMinutes(1), Ct));
        await AppendAsync(Entry(Recipient));

        Assert.Equal(3, pruned);
        await using var scope = Storage.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IFeedStore>();
        Assert.Equal(stored[^1].Sequence, await store.PrunedThroughAsync(Recipient, Ct));
        Assert.Equal(stored[^1].Sequence, await store.PrunedThroughAsync("garage-kaminoyama", Ct));
        Assert.True((await ReadAsync(0)).Single().Sequence > stored[^1].Sequence);
        Assert.Equal((await ReadAsync(0)).Single().Sequence, await store.HeadAsync(Ct));
    }

    [Fact]
    public async Task An_event_keyed_like_one_stored_already_is_left_out()
    {
        await AppendAsync(Entry(Recipient) with { DedupKey = "certificate-expiring:01:30" });
        await AppendAsync(Entry(Recipient) with { DedupKey = "certificate-expiring:01:30" }, Entry(Recipient) with { DedupKey = "certificate-expiring:01:14" });

        Assert.Equal(2, (await ReadAsync(0)).Count);
    }

    [Fact]
    public async Task Unkeyed_events_appended_with_keyed_ones_are_all_kept_and_a_key_repeated_in_one_append_once()
    {
        await AppendAsync(Entry(Recipient) with { DedupKey = "certificate-expiring:01:30" });
        await AppendAsync(
            Entry(Recipient),
            Entry(Recipient) with { DedupKey = "certificate-expiring:01:30" },
            Entry(Recipient),
            Entry(Recipient) with { DedupKey = "certificate-expiring:01:14" },
            Entry(Recipient) with { DedupKey = "certificate-expiring:01:14" });

        Assert.Equal(4, (await ReadAsync(0)).Count);
    }

    private protected static FeedEntry Entry(string recipient) =>
        new(recipient, FeedEventKind.DeclarationPublished, DateTimeOffset.UtcNow, null, null, null, null, [], [1, 2, 3]);

    private protected async Task AppendAsync(params FeedEntry[] entries) => await RunAsync(async store =>
    {
        await store.AppendAsync(entries, Ct);
        return 0;
    });

    private protected async Task<IReadOnlyList<StoredFeedEvent>> ReadAsync(long after)
    {
        await using var scope = Storage.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IFeedStore>().ReadAsync(Recipient, after, 10_000, Ct);
    }

    private async Task<T> RunAsync<T>(Func<IFeedStore, Task<T>> work)
    {
        await using var scope = Storage.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IFeedStore>();
        return await scope.ServiceProvider.GetRequiredService<Domain.Provisions.IUnitOfWork>().RunAsync(_ => work(store), Ct);
    }
}

public sealed class FeedStoreOnSqliteTests() : FeedStoreTests(DatabaseProvider.Sqlite);

public sealed class FeedStoreOnPostgresTests() : FeedStoreTests(DatabaseProvider.Postgres)
{
    [Fact]
    public async Task A_reader_following_the_sequence_never_misses_an_event_that_commits_after_a_later_one()
    {
        const int Writers = 8;
        const int EventsPerWriter = 15;
        // Created before the tasks start: they would each create one otherwise.
        var services = Storage.Services;
        var finished = false;

        var seen = new List<long>();
        var reader = Task.Run(
            async () =>
            {
                long cursor = 0;
                while (true)
                {
                    var last = Volatile.Read(ref finished);
                    var page = await ReadAsync(cursor);
                    seen.AddRange(page.Select(p => p.Sequence));
                    cursor = page.Count > 0 ? page[^1].Sequence : cursor;
                    if (last && page.Count == 0)
                    {
                        return;
                    }
                }
            },
            Ct);

        // Writers as on several hub instances: each its own transaction, held open a moment after the insert.
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(
            async () =>
            {
                var random = new Random(w);
                for (var i = 0; i < EventsPerWriter; i++)
                {
                    await using var scope = services.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
                    await using var transaction = await db.Database.BeginTransactionAsync(Ct);
                    await scope.ServiceProvider.GetRequiredService<IFeedStore>().AppendAsync([Entry(Recipient)], Ct);
                    await Task.Delay(random.Next(0, 6), Ct);
                    await transaction.CommitAsync(Ct);
                }
            },
            Ct)));
        Volatile.Write(ref finished, true);
        await reader;

        var stored = (await ReadAsync(0)).Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, Writers * EventsPerWriter).Select(i => (long)i), stored);
        Assert.Equal(stored, seen);
    }
}
