using System.Diagnostics;
using Exchange.Contracts.V1;

namespace Exchange.Bench;

/// <summary>
/// The group body searching the garage's customers for marketing, <c>--streams</c> searches at a time
/// one after another, each streaming up to 1,000 records (contact only), each record purpose-checked,
/// masked and logged. Counts records; the latency shown is each search's time to its first record,
/// against which the detail line sets the whole search's.
/// </summary>
internal static class SearchScenario
{
    private const int PerSearch = 1000;

    public static async Task<ScenarioResult> RunAsync(Records.RecordsClient[] groupBody, BenchOptions options)
    {
        var firstRecord = new LatencyHistogram();
        var whole = new LatencyHistogram();
        var result = await Measurement.RunAsync($"SearchCustomers (marketing, contact, up to {PerSearch} per search)", "record", options.Streams, options.FirstWarmup, options.Window, async (worker, run) =>
        {
            var client = groupBody[worker % groupBody.Length];
            while (!run.IsStopping)
            {
                var started = Stopwatch.GetTimestamp();
                using var call = client.SearchCustomers(new SearchCustomersRequest { Purpose = "marketing", OwnerParty = BenchHub.Garage, Items = { "contact" }, Limit = PerSearch }, cancellationToken: run.Abort);
                var received = 0;
                while (await call.ResponseStream.MoveNext(run.Abort).ConfigureAwait(false))
                {
                    if (received++ == 0 && run.IsMeasuring)
                    {
                        firstRecord.Record(started);
                    }

                    if (call.ResponseStream.Current.Record.Vehicles.Count > 0)
                    {
                        throw new InvalidOperationException("The hub provided something other than the contact data granted for marketing.");
                    }

                    run.Add(worker);
                }

                if (run.IsMeasuring)
                {
                    whole.Record(started);
                }

                if (received == 0)
                {
                    throw new InvalidOperationException("The search found nothing: the writes stored no records to search.");
                }
            }
        }, firstRecord).ConfigureAwait(false);
        return result with { Detail = FormattableString.Invariant($"    time to first record (above) against a whole search: p50 {whole.Percentile(0.50):F2} ms, p99 {whole.Percentile(0.99):F2} ms") };
    }
}
