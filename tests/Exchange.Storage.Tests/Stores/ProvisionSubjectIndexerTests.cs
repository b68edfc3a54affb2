using Exchange.Domain.Provisions;
using Exchange.Contracts.V1;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The provision log's lookup by person on a real SQLite file: indexed in batches, the rest found by scanning.</summary>
public sealed class ProvisionSubjectIndexerTests : IDisposable
{
    private readonly TemporaryStorage _storage = new TemporaryStorage("subjects").Initialized();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task A_persons_entries_are_found_once_each_and_in_order_whether_indexed_or_not_yet()
    {
        var indexer = _storage.Services.GetRequiredService<ProvisionSubjectIndexer>();
        await RecordAsync(Fact("subject-a"), Fact("subject-b"), Fact("subject-a"), Fact(null));
        Assert.False(await indexer.IndexPendingAsync(Ct));
        await RecordAsync(Fact("subject-a"), Fact("subject-b"), Fact("subject-a"));

        Assert.Equal([1L, 3, 5, 7], await SequencesAsync("subject-a"));
        Assert.Equal([2L, 6], await SequencesAsync("subject-b"));
        Assert.Equal(3, await IndexedAsync());
        Assert.Equal(4, await WatermarkAsync());

        // A row past the watermark (no pass writes one; verification reports it) is not read twice.
        await ExecuteSqlAsync("INSERT INTO provision_log_subjects (SubjectId, Sequence) VALUES ('subject-b', 6)");
        Assert.Equal([2L, 6], await SequencesAsync("subject-b"));
        Assert.Equal(6, await FirstMisindexedAsync());
        await ExecuteSqlAsync("DELETE FROM provision_log_subjects WHERE Sequence = 6");
        Assert.Null(await FirstMisindexedAsync());

        Assert.False(await indexer.IndexPendingAsync(Ct));

        Assert.Equal([1L, 3, 5, 7], await SequencesAsync("subject-a"));
        Assert.Equal([2L, 6], await SequencesAsync("subject-b"));
        Assert.Equal(6, await IndexedAsync());
        Assert.Equal(7, await WatermarkAsync());
        Assert.False(await indexer.IndexPendingAsync(Ct));
        Assert.Equal(6, await IndexedAsync());
    }

    [Fact]
    public async Task Migrating_a_log_that_was_indexed_with_each_commit_indexes_its_entries_and_sets_the_watermark()
    {
        using var storage = new TemporaryStorage("subjects-migration");
        using (var scope = storage.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            Directory.CreateDirectory(storage.Directory);
            await db.GetService<IMigrator>().MigrateAsync("20261201204855_ProvisionLogJournals", Ct);
            foreach (var (sequence, subject) in new (long, string?)[] { (1, "subject-a"), (2, null), (3, "subject-a"), (4, "subject-b") })
            {
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO provision_log (Sequence, Time, Provider, Recipient, SubjectId, Items, Purpose, DeclarationVersion, DeclarationHash, CallId, Outcome, PreviousHash, EntryHash) VALUES ({sequence}, 0, 'garage', 'group', {subject}, 'contact.name', 'marketing', 1, 'd', 'c', 1, 'p', 'e')",
                    Ct);
            }
        }

        storage.Initialized();

        using var read = storage.Services.CreateScope();
        var migrated = read.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        Assert.Equal([("subject-a", 1L), ("subject-a", 3L), ("subject-b", 4L)], (await migrated.ProvisionSubjects.OrderBy(s => s.Sequence).ToListAsync(Ct)).Select(s => (s.SubjectId, s.Sequence)));
        Assert.Equal(4, (await migrated.SubjectIndexState.SingleAsync(Ct)).IndexedThrough);
        Assert.Equal([1L, 3], (await read.ServiceProvider.GetRequiredService<IProvisionLogStore>().ListForSubjectAsync("subject-a", Ct)).Select(e => e.Sequence));
    }

    private async Task RecordAsync(params ProvisionFact[] facts)
    {
        var recorder = _storage.Services.GetRequiredService<GroupCommitProvisionRecorder>();
        await recorder.RecordAsync(facts, Ct);
        await recorder.FlushAsync();
    }

    private async Task<IEnumerable<long>> SequencesAsync(string subject)
    {
        using var scope = _storage.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ListForSubjectAsync(subject, Ct)).Select(e => e.Sequence);
    }

    private async Task ExecuteSqlAsync(string sql)
    {
        using var scope = _storage.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.ExecuteSqlRawAsync(sql, Ct);
    }

    private async Task<long?> FirstMisindexedAsync()
    {
        using var scope = _storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().FirstMisindexedAsync(Ct);
    }

    private async Task<int> IndexedAsync()
    {
        using var scope = _storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionSubjects.CountAsync(Ct);
    }

    private async Task<long> WatermarkAsync()
    {
        using var scope = _storage.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().SubjectIndexState.SingleAsync(Ct)).IndexedThrough;
    }

    private static ProvisionFact Fact(string? subject) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, subject, ["contact.name"], "marketing", 1, new string('a', 64), "call", ProvisionOutcome.Provided, null);
}
