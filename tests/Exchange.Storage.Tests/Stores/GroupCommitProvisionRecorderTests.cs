using System.Diagnostics.Metrics;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The group-commit writer on a real SQLite file: entries chained and committed, and what it reports on its meter.</summary>
public sealed class GroupCommitProvisionRecorderTests : IDisposable
{
    private readonly TemporaryStorage _storage = new TemporaryStorage("recorder").Initialized();

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task Concurrent_calls_are_committed_in_one_chain_and_each_commit_is_reported_with_its_entries_and_waits()
    {
        // This storage's meter only: other tests' recorders publish on the same meter name meanwhile.
        var meters = _storage.Services.GetRequiredService<IMeterFactory>();
        var measured = new List<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GroupCommitProvisionRecorder.MeterName && instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => { lock (measured) { measured.Add((instrument.Name, value)); } });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { lock (measured) { measured.Add((instrument.Name, value)); } });
        listener.Start();
        var recorder = _storage.Services.GetRequiredService<GroupCommitProvisionRecorder>();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => recorder.RecordAsync([Fact(i), Fact(i)], TestContext.Current.CancellationToken))));
        await recorder.FlushAsync();

        using var scope = _storage.Services.CreateScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionEntries.OrderBy(p => p.Sequence).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), rows.Select(r => r.Sequence));
        Assert.All(rows.Skip(1).Zip(rows), pair => Assert.Equal(pair.Second.EntryHash, pair.First.PreviousHash));

        lock (measured)
        {
            var entries = measured.Where(m => m.Instrument == GroupCommitProvisionRecorder.CommitEntries).Select(m => m.Value).ToList();
            Assert.Equal(80, entries.Sum());
            Assert.Equal(entries.Count, measured.Count(m => m.Instrument == GroupCommitProvisionRecorder.CommitDuration && m.Value > 0));
            Assert.Equal(40, measured.Count(m => m.Instrument == GroupCommitProvisionRecorder.Wait && m.Value > 0));
            Assert.Equal(80, measured.Where(m => m.Instrument == GroupCommitProvisionRecorder.FoldEntries).Sum(m => m.Value));
            Assert.Equal(
                measured.Count(m => m.Instrument == GroupCommitProvisionRecorder.FoldEntries),
                measured.Count(m => m.Instrument == GroupCommitProvisionRecorder.FoldDuration && m.Value > 0));
        }
    }

    [Fact]
    public async Task Committed_entries_wait_in_the_journal_until_the_log_is_read_which_folds_them_first()
    {
        using var storage = new TemporaryStorage("recorder-fold", s => s with { FoldDelay = TimeSpan.FromHours(1) }).Initialized();
        var recorder = storage.Services.GetRequiredService<GroupCommitProvisionRecorder>();
        await recorder.RecordAsync([Fact(1), Fact(2)], Ct);
        await recorder.RecordAsync([Fact(3)], Ct);
        Assert.Empty(await RowsAsync(storage));
        Assert.Single(Journals(storage));

        using var scope = storage.Services.CreateScope();
        var entries = await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ListForSubjectAsync("subject-2", Ct);

        Assert.Equal(2, Assert.Single(entries).Sequence);
        Assert.Equal([1L, 2, 3], (await RowsAsync(storage)).Select(r => r.Sequence));
        Assert.Equal(3, (await ProgressAsync(storage)).Single().FoldedThrough);
    }

    [Fact]
    public async Task Checkpoint_inside_a_unit_of_work_covers_the_entries_still_in_the_journal()
    {
        using var storage = new TemporaryStorage("recorder-checkpoint", s => s with { FoldDelay = TimeSpan.FromHours(1) }).Initialized();
        await storage.Services.GetRequiredService<IProvisionRecorder>().RecordAsync([Fact(1), Fact(2)], Ct);

        using var scope = storage.Services.CreateScope();
        var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        var head = await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.HeadAsync(ct), Ct);

        Assert.Equal(2, head?.Sequence);
        Assert.Equal([1L, 2], (await RowsAsync(storage)).Select(r => r.Sequence));

        // The unit of work folded them: the folder does not fold them again.
        await storage.Services.GetRequiredService<GroupCommitProvisionRecorder>().FlushAsync();
        Assert.Equal(2, (await RowsAsync(storage)).Count);
    }

    [Fact]
    public async Task Stopping_folds_everything_and_removes_the_journal()
    {
        var storage = new TemporaryStorage("recorder-stop", s => s with { FoldDelay = TimeSpan.FromHours(1) }).Initialized();
        await storage.Services.GetRequiredService<IProvisionRecorder>().RecordAsync([Fact(1), Fact(2)], Ct);

        using var restarted = storage.Restarted().Initialized();

        Assert.Equal([1L, 2], (await RowsAsync(restarted)).Select(r => r.Sequence));
        Assert.Empty(Journals(restarted));
        Assert.Empty(await ProgressAsync(restarted));
    }

    [Fact]
    public async Task Entries_a_hub_that_stopped_without_folding_left_in_its_journal_are_folded_on_the_next_start()
    {
        // What a hub that lost power leaves: a journal with five records, two of them folded.
        using (var journal = ProvisionJournal.Create(_storage.Directory, 4096))
        {
            Assert.True(journal.TryAppend([Fact(1), Fact(2)], 0));
            Assert.True(journal.TryAppend([Fact(3), Fact(4), Fact(5)], 0));
            _storage.Services.GetRequiredService<ConnectionLeases>().RunWriter(lease =>
            {
                GroupCommitProvisionRecorder.Commit(lease, [Fact(1), Fact(2)], journal.Id, 2);
                return true;
            });
        }

        using var restarted = _storage.Restarted().Initialized();

        var rows = await RowsAsync(restarted);
        Assert.Equal([1L, 2, 3, 4, 5], rows.Select(r => r.Sequence));
        Assert.Equal(["call_1", "call_2", "call_3", "call_4", "call_5"], rows.Select(r => r.CallId));
        Assert.All(rows.Skip(1).Zip(rows), pair => Assert.Equal(pair.Second.EntryHash, pair.First.PreviousHash));
        Assert.Empty(Journals(restarted));
        Assert.Empty(await ProgressAsync(restarted));
    }

    [Fact]
    public async Task Group_too_large_for_a_journal_segment_is_committed_to_the_database_directly()
    {
        using var storage = new TemporaryStorage("recorder-large", s => s with { SegmentBytes = 4096, FoldDelay = TimeSpan.FromHours(1) }).Initialized();

        await storage.Services.GetRequiredService<IProvisionRecorder>().RecordAsync([.. Enumerable.Range(1, 100).Select(Fact)], Ct);

        Assert.Equal(100, (await RowsAsync(storage)).Count);

        // The journal was opened (and registered, holding nothing), but nothing went into it.
        Assert.All(await ProgressAsync(storage), p => Assert.Equal(0, p.FoldedThrough));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<ProvisionEntryRow>> RowsAsync(TemporaryStorage storage)
    {
        using var scope = storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionEntries.AsNoTracking().OrderBy(p => p.Sequence).ToListAsync(Ct);
    }

    private static async Task<List<JournalProgressRow>> ProgressAsync(TemporaryStorage storage)
    {
        using var scope = storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().JournalProgress.AsNoTracking().ToListAsync(Ct);
    }

    private static string[] Journals(TemporaryStorage storage) => Directory.GetFiles(storage.Directory, "*" + ProvisionJournal.Extension);

    private static ProvisionFact Fact(int call) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, "subject-" + call, ["contact.name"], "marketing", 1, new string('a', 64), "call_" + call, ProvisionOutcome.Provided, null);
}
