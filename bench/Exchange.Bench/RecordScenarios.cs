using System.Diagnostics;
using Exchange.Contracts.V1;

namespace Exchange.Bench;

/// <summary>
/// The joint-use path on the hub's SQLite file: the garage writing its customers' records in batches
/// (each record with its provision-log entry, in one transaction per batch), then the group body
/// reading them one at a time for <c>marketing</c>, each read purpose-checked, masked and logged.
/// </summary>
internal static class RecordScenarios
{
    private const string Purpose = "after-sales";

    /// <summary><c>--writers</c> callers, each sending batches of <c>--batch</c> new records one after another, spread over the channels.</summary>
    public static async Task<(ScenarioResult Result, long Written)> BatchWritesAsync(Records.RecordsClient[] garage, BenchOptions options)
    {
        var written = new long[options.Writers];
        var result = await Measurement.RunAsync($"batched PutCustomers ({options.Batch} per batch)", "record", options.Writers, options.FirstWarmup, options.Window, async (worker, run) =>
        {
            while (!run.IsStopping)
            {
                var request = new PutCustomersRequest { Purpose = Purpose };
                for (var i = 0; i < options.Batch; i++)
                {
                    request.Records.Add(Customer(CustomerRef(worker, written[worker] + i)));
                }

                var reply = await garage[worker % garage.Length].PutCustomersAsync(request, cancellationToken: run.Abort).ConfigureAwait(false);
                written[worker] += reply.Results.Count;
                run.Add(worker, reply.Results.Count);
            }
        }).ConfigureAwait(false);
        return (result, written.Min());
    }

    /// <summary>
    /// <c>--writers</c> callers, each streaming new records through one Records/Sync call, as many as
    /// the hub takes (the stream's flow control paces them), spread over the channels, several
    /// changes a message as a sender with many at hand does; a record counts once it is
    /// acknowledged, that is durable with its provision-log entry.
    /// </summary>
    private const int SyncChangesPerMessage = 50;

    public static Task<ScenarioResult> SyncWritesAsync(Records.RecordsClient[] garage, BenchOptions options) =>
        Measurement.RunAsync("records streamed through Sync", "record", options.Writers, options.FirstWarmup, options.Window, async (worker, run) =>
        {
            using var call = garage[worker % garage.Length].Sync(cancellationToken: run.Abort);
            await call.RequestStream.WriteAsync(new SyncRequest { Open = new SyncOpen { Purpose = Purpose } }, run.Abort).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(run.Abort).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The hub ended the sync without opening it.");
            }

            var acknowledging = Task.Run(
                async () =>
                {
                    while (await call.ResponseStream.MoveNext(run.Abort).ConfigureAwait(false))
                    {
                        var results = call.ResponseStream.Current.Ack.Results;
                        if (results.Any(r => r.Outcome != SyncOutcome.Created))
                        {
                            throw new InvalidOperationException("The hub did not create a streamed record: " + results.First(r => r.Outcome != SyncOutcome.Created));
                        }

                        run.Add(worker, results.Count);
                    }
                },
                run.Abort);
            for (long sequence = 1; !run.IsStopping;)
            {
                var changes = new SyncChanges();
                for (var i = 0; i < SyncChangesPerMessage; i++, sequence++)
                {
                    changes.Changes.Add(new SyncChange { Sequence = sequence, Upsert = Customer(FormattableString.Invariant($"S{worker}-{sequence:D7}")) });
                }

                await call.RequestStream.WriteAsync(new SyncRequest { Changes = changes }, run.Abort).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await acknowledging.ConfigureAwait(false);
        });

    /// <summary>
    /// <c>--readers</c> callers reading, for marketing, the contact data of customers the writes stored
    /// (the first <paramref name="perWriter"/> of each writer), chosen at random, one read after
    /// another: the most reads the hub serves. Latency here includes queueing at saturation.
    /// </summary>
    public static async Task<ScenarioResult> PurposeCheckedReadsAsync(Records.RecordsClient[] groupBody, BenchOptions options, long perWriter)
    {
        var latencies = new LatencyHistogram();
        using var log = new ProvisionLogProbe();
        var result = await Measurement.RunAsync("purpose-checked GetCustomer (marketing, contact)", "read", options.Readers, options.FirstWarmup, options.Window, async (worker, run) =>
        {
            log.Run ??= run;
            var client = groupBody[worker % groupBody.Length];
            var random = new Random(worker);
            while (!run.IsStopping)
            {
                var started = Stopwatch.GetTimestamp();
                await ReadAsync(client, random, options, perWriter, run).ConfigureAwait(false);
                if (run.IsMeasuring)
                {
                    latencies.Record(started);
                }

                run.Add(worker);
            }
        }, latencies).ConfigureAwait(false);
        return result with { Detail = log.Describe(result.Elapsed) };
    }

    /// <summary>
    /// The same reads offered at a fixed <c>--read-rate</c> per second through <see cref="OpenLoop"/>:
    /// what a read takes at that rate, timed from when it was due.
    /// </summary>
    public static async Task<ScenarioResult> ReadsAtFixedRateAsync(Records.RecordsClient[] groupBody, BenchOptions options, long perWriter)
    {
        using var log = new ProvisionLogProbe();
        var random = new Random(1000);
        var result = await OpenLoop.RunAsync(
            FormattableString.Invariant($"purpose-checked GetCustomer offered at {options.ReadRate:N0}/s"), "read", options.ReadRate, options.NextWarmup, options.Window,
            (number, run) => ReadAsync(groupBody[number % groupBody.Length], random, options, perWriter, run),
            run => log.Run ??= run).ConfigureAwait(false);
        return result with { Detail = result.Detail + "\n" + log.Describe(result.Elapsed) };
    }

    /// <summary>
    /// One statistics query over every record the writes stored (grouped by model code, as the group
    /// body would ask for them): how long it took, what it allocated, and how far the GC heap grew
    /// above where it stood before, sampled every 10 ms (what holding the records would cost).
    /// </summary>
    public static async Task<StatisticsRun> StatisticsAsync(Records.RecordsClient groupBody, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        var reply = await groupBody.QueryStatisticsAsync(new StatisticsRequest { Purpose = "statistics", GroupBy = StatisticsDimension.ModelCode }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        return new StatisticsRun(reply.TotalPersons, elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated, Math.Max(0, peak - before));
    }

    // The random customer is chosen before the first await, so callers of one worker share its Random safely.
    private static async Task ReadAsync(Records.RecordsClient client, Random random, BenchOptions options, long perWriter, Measurement run)
    {
        var request = new GetCustomerRequest { Purpose = "marketing", OwnerParty = BenchHub.Garage, CustomerRef = CustomerRef(random.Next(options.Writers), random.NextInt64(perWriter)), Items = { "contact" } };
        var reply = await client.GetCustomerAsync(request, cancellationToken: run.Abort).ConfigureAwait(false);
        if (reply.Record.Contact is null || reply.Record.Vehicles.Count > 0)
        {
            throw new InvalidOperationException("The hub provided something other than the contact data granted for marketing.");
        }
    }

    internal static string CustomerRef(int writer, long index) => FormattableString.Invariant($"W{writer}-{index:D7}");

    // A typical customer of a garage: contact, one vehicle with its inspection certificate, one
    // repair with a part, one cost record; about 600 bytes on the wire.
    internal static CustomerRecord Customer(string customerRef, string modelCode = "DAA-NHP10")
    {
        var record = new CustomerRecord
        {
            CustomerRef = customerRef,
            Contact = new CustomerContact
            {
                Name = "佐藤 花子",
                NameKana = "サトウ ハナコ",
                Address = new PostalAddress { PostalCode = "990-0001", Prefecture = "山形県", Locality = "山形市", Street = "旅篭町 2-3-4" },
                Phone = "023-600-0000",
                Email = customerRef + "@example.jp",
                BirthDate = new Date { Year = 1981, Month = 7, Day = 12 },
            },
        };
        record.Vehicles.Add(new Vehicle
        {
            VehicleRef = "v1",
            InspectionCertificate = new InspectionCertificate
            {
                RegistrationNumber = "山形 300 さ 56-78",
                ChassisNumber = "NHP10-" + customerRef,
                ModelCode = modelCode,
                Maker = "トヨタ",
                CarName = "アクア",
                FirstRegistration = new Date { Year = 2018, Month = 3 },
                InspectionExpiry = new Date { Year = 2027, Month = 3, Day = 31 },
            },
            MileageKm = 52_000,
        });
        var repair = new RepairOrder { OrderRef = "r1", VehicleRef = "v1" };
        repair.Work.Add(new WorkItem { PerformedOn = new Date { Year = 2026, Month = 11, Day = 2 }, Description = "車検整備" });
        repair.Parts.Add(new PartLine { Name = "エンジンオイル", Quantity = 4, UnitPriceYen = 1_200, AmountYen = 4_800 });
        record.Repairs.Add(repair);
        record.Costs.Add(new CostRecord { CostRef = "c1", VehicleRef = "v1", EstimateDate = new Date { Year = 2026, Month = 10, Day = 28 }, SalesDate = new Date { Year = 2026, Month = 11, Day = 2 }, BilledAmountYen = 98_000 });
        return record;
    }
}

/// <summary>What one statistics query over the stored records cost.</summary>
internal sealed record StatisticsRun(long Persons, TimeSpan Elapsed, long AllocatedBytes, long HeapGrowthBytes);
