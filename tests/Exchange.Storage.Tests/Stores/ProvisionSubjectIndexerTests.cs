using Exchange.Domain.Provisions;
using Exchange.Contracts.V1;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The provision log's lookup by person on a real database: indexed in batches, the rest found by scanning.</summary>
public abstract class ProvisionSubjectIndexerTests(DatabaseProvider provider) : StorageTest(provider)
{
    private protected TemporaryStorage _storage => Storage;

    [Fact]
    public async Task A_persons_entries_are_found_once_each_and_in_order_whether_indexed_or_not_yet()
    {
        var indexer = await SevenEntriesTheFirstFourIndexedAsync();

        Assert.Equal([1L, 3, 5, 7], await SequencesAsync("subject-a"));
        Assert.Equal([2L, 6], await SequencesAsync("subject-b"));
        Assert.Equal(4, await WatermarkAsync());
        Assert.False(await indexer.IndexPendingAsync(Ct));

        Assert.Equal([1L, 3, 5, 7], await SequencesAsync("subject-a"));
        Assert.Equal([2L, 6], await SequencesAsync("subject-b"));
        Assert.Equal(7, await WatermarkAsync());
        Assert.Null(await FirstMisindexedAsync());
    }

    // Persons a, b, a, none (indexed), then a, b, a.
    private protected async Task<ProvisionSubjectIndexer> SevenEntriesTheFirstFourIndexedAsync()
    {
        var indexer = _storage.Services.GetRequiredService<ProvisionSubjectIndexer>();
        await RecordAsync(Fact("subject-a"), Fact("subject-b"), Fact("subject-a"), Fact(null));
        Assert.False(await indexer.IndexPendingAsync(Ct));
        await RecordAsync(Fact("subject-a"), Fact("subject-b"), Fact("subject-a"));
        return indexer;
    }

    private async Task RecordAsync(params ProvisionFact[] facts)
    {
        await _storage.Services.GetRequiredService<IProvisionRecorder>().RecordAsync(facts, Ct);
    }

    private protected async Task<IEnumerable<long>> SequencesAsync(string subject)
    {
        using var scope = _storage.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ListForSubjectAsync(subject, Ct)).Select(e => e.Sequence);
    }

    private protected async Task ExecuteSqlAsync(string sql)
    {
        using var scope = _storage.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.ExecuteSqlRawAsync(sql, Ct);
    }

    private protected async Task<long?> FirstMisindexedAsync()
    {
        using var scope = _storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().FirstMisindexedAsync(0, Ct);
    }

    private protected async Task<int> IndexedAsync()
    {
        using var scope = _storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionSubjects.CountAsync(Ct);
    }

    private protected async Task<long> WatermarkAsync()
    {
        using var scope = _storage.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().SubjectIndexState.SingleAsync(Ct)).IndexedThrough;
    }

    private static ProvisionFact Fact(string? subject) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, subject, ["contact.name"], "marketing", 1, new string('a', 64), "call", ProvisionOutcome.Provided, null);
}

/// <summary>The lookup by person on a real SQLite file: a table filled in sorted batches, checked against the chain.</summary>
public sealed class ProvisionSubjectIndexerOnSqliteTests() : ProvisionSubjectIndexerTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Entries_are_indexed_in_batches_and_a_row_past_the_watermark_is_reported_not_read_twice()
    {
        var indexer = await SevenEntriesTheFirstFourIndexedAsync();
        Assert.Equal(3, await IndexedAsync());

        // A row past the watermark (no pass writes one; verification reports it) is not read twice.
        await ExecuteSqlAsync("INSERT INTO provision_log_subjects (subject_id, sequence) SELECT subject_id, 6 FROM provision_log WHERE sequence = 2");
        Assert.Equal([2L, 6], await SequencesAsync("subject-b"));
        Assert.Equal(6, await FirstMisindexedAsync());
        await ExecuteSqlAsync("DELETE FROM provision_log_subjects WHERE sequence = 6");
        Assert.Null(await FirstMisindexedAsync());

        Assert.False(await indexer.IndexPendingAsync(Ct));
        Assert.Equal(6, await IndexedAsync());
        Assert.False(await indexer.IndexPendingAsync(Ct));
        Assert.Equal(6, await IndexedAsync());
    }
}

/// <summary>The lookup by person on a real PostgreSQL database: an index on the log, the watermark moved all the same.</summary>
public sealed class ProvisionSubjectIndexerOnPostgresTests() : ProvisionSubjectIndexerTests(DatabaseProvider.Postgres);
