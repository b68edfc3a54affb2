using System.Diagnostics.Metrics;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The group-commit writer on a real database: entries chained and committed before calls are answered, and what it reports.</summary>
public abstract class ProvisionLogWriterTests(DatabaseProvider provider) : StorageTest(provider)
{
    [Fact]
    public async Task Concurrent_calls_are_committed_in_one_chain_and_each_commit_is_reported_with_its_entries_and_waits()
    {
        // This storage's meter only: other tests' writers publish on the same meter name meanwhile.
        var meters = Storage.Services.GetRequiredService<IMeterFactory>();
        var measured = new List<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProvisionLogWriter.MeterName && instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => { lock (measured) { measured.Add((instrument.Name, value)); } });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { lock (measured) { measured.Add((instrument.Name, value)); } });
        listener.Start();
        var recorder = Storage.Services.GetRequiredService<IProvisionRecorder>();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => recorder.RecordAsync([Fact(i), Fact(i)], Ct))));

        var rows = await RowsAsync();
        Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), rows.Select(r => r.Sequence));
        await AssertChainIntactAsync();
        lock (measured)
        {
            var entries = measured.Where(m => m.Instrument == ProvisionLogWriter.CommitEntries).Select(m => m.Value).ToList();
            Assert.Equal(80, entries.Sum());
            Assert.Equal(entries.Count, measured.Count(m => m.Instrument == ProvisionLogWriter.CommitDuration && m.Value > 0));
            Assert.Equal(40, measured.Count(m => m.Instrument == ProvisionLogWriter.Wait && m.Value > 0));
        }
    }

    [Fact]
    public async Task A_call_is_answered_only_once_its_entries_are_committed_in_the_database()
    {
        var recorder = Storage.Services.GetRequiredService<IProvisionRecorder>();

        await recorder.RecordAsync([Fact(1), Fact(2)], Ct);

        // Read on a connection of its own: committed, not merely written.
        Assert.Equal(["call_1", "call_2"], (await RowsAsync()).Select(r => r.CallId));
        await recorder.RecordAsync([Fact(3)], Ct);
        Assert.Equal([1L, 2, 3], (await RowsAsync()).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Entries_of_a_unit_of_work_and_of_the_writer_share_one_chain_in_commit_order()
    {
        var recorder = Storage.Services.GetRequiredService<IProvisionRecorder>();
        var writes = Enumerable.Range(0, 10).Select(async i =>
        {
            using var scope = Storage.Services.CreateScope();
            var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync([Fact(100 + i), Fact(100 + i)], ct), Ct);
        });
        var reads = Enumerable.Range(0, 30).Select(i => recorder.RecordAsync([Fact(i)], Ct));

        await Task.WhenAll(writes.Concat(reads));

        var rows = await RowsAsync();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), rows.Select(r => r.Sequence));
        await AssertChainIntactAsync();
    }

    [Fact]
    public async Task Queued_entries_are_committed_before_the_writer_stops_and_later_ones_are_refused()
    {
        var writer = Storage.Services.GetRequiredService<ProvisionLogWriter>();
        var queued = Enumerable.Range(0, 20).Select(i => writer.RecordAsync([Fact(i)], Ct)).ToList();

        await writer.StopAsync(Ct);

        await Task.WhenAll(queued);
        Assert.Equal(20, (await RowsAsync()).Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.RecordAsync([Fact(99)], Ct));
    }

    [Fact]
    public async Task Entries_queued_by_a_writer_stopped_before_its_loop_began_are_still_committed()
    {
        // A hub stopped right after it started: the writer's loop may not have begun when the stop arrives.
        const int Writers = 50;
        var queued = new List<Task>();
        for (var i = 0; i < Writers; i++)
        {
            using var writer = ActivatorUtilities.CreateInstance<ProvisionLogWriter>(Storage.Services);
            await writer.StartAsync(Ct);
            var entry = writer.RecordAsync([Fact(i)], Ct);
            await writer.StopAsync(Ct);
            queued.Add(entry);
        }

        await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(Writers, (await RowsAsync()).Count);
    }

    private async Task AssertChainIntactAsync()
    {
        using var verify = Storage.Services.CreateScope();
        var chain = await ProvisionChain.VerifyAsync(verify.ServiceProvider.GetRequiredService<IProvisionLogStore>().ReadAllAsync(Ct), [], null!, Ct);
        Assert.True(chain.Intact, chain.Problem);
    }

    private async Task<List<ProvisionEntryRow>> RowsAsync()
    {
        using var scope = Storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionEntries.AsNoTracking().OrderBy(p => p.Sequence).ToListAsync(Ct);
    }

    private static ProvisionFact Fact(int call) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, "subject-" + call, ["contact.name"], "marketing", 1, new string('a', 64), "call_" + call, ProvisionOutcome.Provided, null);
}

/// <summary>The writer on a real SQLite file.</summary>
public sealed class ProvisionLogWriterOnSqliteTests() : ProvisionLogWriterTests(DatabaseProvider.Sqlite);

/// <summary>The writer on a real PostgreSQL database.</summary>
public sealed class ProvisionLogWriterOnPostgresTests() : ProvisionLogWriterTests(DatabaseProvider.Postgres);
