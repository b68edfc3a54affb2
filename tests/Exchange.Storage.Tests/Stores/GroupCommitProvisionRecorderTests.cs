using System.Diagnostics.Metrics;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
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
        var measured = new List<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GroupCommitProvisionRecorder.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => { lock (measured) { measured.Add((instrument.Name, value)); } });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { lock (measured) { measured.Add((instrument.Name, value)); } });
        listener.Start();
        var recorder = _storage.Services.GetRequiredService<IProvisionRecorder>();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => recorder.RecordAsync([Fact(i), Fact(i)], TestContext.Current.CancellationToken))));

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
        }
    }

    private static ProvisionFact Fact(int call) => new(
        DateTimeOffset.UnixEpoch, "garage-kaminoyama", "group-lotus", null, "subject-" + call, ["contact.name"], "marketing", 1, new string('a', 64), "call_" + call, ProvisionOutcome.Provided, null);
}
