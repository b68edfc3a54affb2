using System.Diagnostics;
using System.Globalization;
using Exchange.Contracts.V1;
using Grpc.Core;

namespace Exchange.Bench;

/// <summary>
/// <c>--scale</c>: grows the hub in three steps (a tenth, three tenths and all of
/// <c>--scale-customers</c>): customers written in batches, then the provision log grown to about
/// six entries per customer by searches and single reads running together. At each step it prints
/// the costs that grow with the data: disk per log entry, SQLite's WAL and the process's memory
/// under that load and after ten idle seconds, a search's and a read's cost, and Verify's.
/// </summary>
internal static class ScaleRun
{
    private const int EntriesPerCustomer = 6;
    private const int SearchLimit = 1000;
    private const int ScaleReaders = 32;

    // Customers are spread over this many model codes, so a search for one code finds many and
    // different searches read different customers.
    private const int ModelCodes = 100;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchHub hub, BenchOptions options)
    {
        var garage = Enumerable.Range(0, options.Connections).Select(_ => new Records.RecordsClient(hub.CreateChannel())).ToArray();
        var groupBody = Enumerable.Range(0, options.Connections).Select(_ => new Records.RecordsClient(hub.CreateChannel(BenchHub.GroupBody))).ToArray();
        var admin = new ProvisionLog.ProvisionLogClient(hub.CreateChannel(BenchHub.Administrator));
        var sizes = new[] { options.ScaleCustomers / 10, options.ScaleCustomers * 3 / 10, options.ScaleCustomers }.Where(s => s > 0).Distinct().ToArray();
        Report.Line($"scale: customers grown to {string.Join(", ", sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}, the log to ~{EntriesPerCustomer} entries per customer by {options.Searchers} searchers (up to {SearchLimit} records each) and {ScaleReaders} readers; CPU and memory are the process's, client and hub together");
        var total = Stopwatch.StartNew();
        long written = 0;
        var steps = new List<ScaleStep>();
        foreach (var size in sizes)
        {
            var started = Stopwatch.GetTimestamp();
            written = await GrowCustomersAsync(garage, options, written, size).ConfigureAwait(false);
            var writing = Stopwatch.GetElapsedTime(started);
            var load = await GrowLogAsync(hub, groupBody, options, size).ConfigureAwait(false);
            var search = await MeasureSearchesAsync(groupBody, options).ConfigureAwait(false);
            var read = await MeasureReadsAsync(groupBody, options, size).ConfigureAwait(false);
            var entries = await hub.Database.LogEntriesAsync().ConfigureAwait(false);
            var disk = await hub.Database.DiskAsync().ConfigureAwait(false);
            await Task.Delay(Idle).ConfigureAwait(false);
            var idle = MemorySnapshot.Take(hub.Database.Provider == BenchProvider.Sqlite);
            var verify = await VerifyAsync(admin).ConfigureAwait(false);
            var step = new ScaleStep(size, entries, writing, load, search, read, disk, idle, verify, Stopwatch.GetElapsedTime(started));
            steps.Add(step);
            Print(step, hub.Database.Provider);
        }

        Summary(steps, hub.Database.Provider);
        Report.Line($"scale run: {total.Elapsed.TotalMinutes:F1} minutes");
    }

    // Writers take the next batch of customer numbers until `size` are written.
    private static async Task<long> GrowCustomersAsync(Records.RecordsClient[] garage, BenchOptions options, long written, long size)
    {
        var next = written;
        var workers = Enumerable.Range(0, options.Writers).Select(worker => Task.Run(async () =>
        {
            while (true)
            {
                var from = Interlocked.Add(ref next, options.Batch) - options.Batch;
                if (from >= size)
                {
                    return;
                }

                var request = new PutCustomersRequest { Purpose = "after-sales" };
                for (var i = from; i < Math.Min(size, from + options.Batch); i++)
                {
                    request.Records.Add(RecordScenarios.Customer(CustomerRef(i), ModelCode(i)));
                }

                await garage[worker % garage.Length].PutCustomersAsync(request).ConfigureAwait(false);
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return size;
    }

    // Searches and reads until the log holds EntriesPerCustomer entries per customer, sampling the WAL and memory meanwhile.
    private static async Task<LoadFigures> GrowLogAsync(BenchHub hub, Records.RecordsClient[] groupBody, BenchOptions options, long size)
    {
        var target = EntriesPerCustomer * size;
        var entries = await hub.Database.LogEntriesAsync().ConfigureAwait(false);
        var start = entries;
        using var stop = new CancellationTokenSource();
        var searchers = Enumerable.Range(0, options.Searchers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            while (!stop.IsCancellationRequested)
            {
                var (records, _, _) = await SearchAsync(groupBody[worker % groupBody.Length], random).ConfigureAwait(false);
                Interlocked.Add(ref entries, records);
            }
        })).ToArray();
        var readers = Enumerable.Range(0, ScaleReaders).Select(worker => Task.Run(async () =>
        {
            var random = new Random(1000 + worker);
            while (!stop.IsCancellationRequested)
            {
                await ReadAsync(groupBody[worker % groupBody.Length], random, size).ConfigureAwait(false);
                Interlocked.Increment(ref entries);
            }
        })).ToArray();
        var started = Stopwatch.GetTimestamp();
        var lastProgress = started;
        var peak = MemorySnapshot.Take(hub.Database.Provider == BenchProvider.Sqlite);
        long peakWal = 0;
        while (Interlocked.Read(ref entries) < target)
        {
            await Task.WhenAny(Task.Delay(500), Task.WhenAny(searchers.Concat(readers))).ConfigureAwait(false);
            if (searchers.Concat(readers).FirstOrDefault(t => t.IsCompleted) is { } ended)
            {
                await ended.ConfigureAwait(false);
            }

            peak = peak.Max(MemorySnapshot.Take(hub.Database.Provider == BenchProvider.Sqlite));
            peakWal = Math.Max(peakWal, hub.Database.WalBytes());
            if (Stopwatch.GetElapsedTime(lastProgress) >= ProgressEvery)
            {
                lastProgress = Stopwatch.GetTimestamp();
                var now = Interlocked.Read(ref entries);
                Report.Line($"    growing the log to {target:N0}: {now:N0} entries, {(now - start) / Stopwatch.GetElapsedTime(started).TotalSeconds:N0}/s; WAL {hub.Database.WalBytes() / 1048576.0:N0} MiB (peak {peakWal / 1048576.0:N0}); {peak.Describe()} at most");
            }
        }

        var underLoad = MemorySnapshot.Take(hub.Database.Provider == BenchProvider.Sqlite);
        var wal = hub.Database.WalBytes();
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(searchers.Concat(readers)).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new LoadFigures((Interlocked.Read(ref entries) - start) / elapsed.TotalSeconds, elapsed, peakWal, wal, peak, underLoad);
    }

    private static async Task<SearchFigures> MeasureSearchesAsync(Records.RecordsClient[] groupBody, BenchOptions options)
    {
        var firstRecord = new LatencyHistogram();
        var whole = new LatencyHistogram();
        var result = await Measurement.RunAsync("searches (marketing, contact, one model code)", "record", options.Searchers, TimeSpan.Zero, options.Window, async (worker, run) =>
        {
            var random = new Random(2000 + worker);
            while (!run.IsStopping)
            {
                var (records, first, elapsed) = await SearchAsync(groupBody[worker % groupBody.Length], random).ConfigureAwait(false);
                if (run.IsMeasuring)
                {
                    firstRecord.RecordMicroseconds((long)first.TotalMicroseconds);
                    whole.RecordMicroseconds((long)elapsed.TotalMicroseconds);
                }

                run.Add(worker, records);
            }
        }).ConfigureAwait(false);
        return new SearchFigures(result, firstRecord.Percentile(0.5), whole.Percentile(0.5));
    }

    private static Task<ScenarioResult> MeasureReadsAsync(Records.RecordsClient[] groupBody, BenchOptions options, long size) =>
        Measurement.RunAsync("purpose-checked single reads", "read", ScaleReaders, TimeSpan.Zero, options.Window, async (worker, run) =>
        {
            var random = new Random(3000 + worker);
            while (!run.IsStopping)
            {
                await ReadAsync(groupBody[worker % groupBody.Length], random, size).ConfigureAwait(false);
                run.Add(worker);
            }
        });

    private static async Task<VerifyFigures> VerifyAsync(ProvisionLog.ProvisionLogClient admin)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await admin.VerifyAsync(new VerifyRequest(), deadline: DateTime.UtcNow.AddHours(2)).ConfigureAwait(false);
        return new VerifyFigures(reply.Intact, reply.EntriesChecked, Stopwatch.GetElapsedTime(started));
    }

    // One search for one model code: the records it streamed, when the first came and when the last did.
    private static async Task<(long Records, TimeSpan FirstRecord, TimeSpan Elapsed)> SearchAsync(Records.RecordsClient client, Random random)
    {
        var request = new SearchCustomersRequest { Purpose = "marketing", OwnerParty = BenchHub.Garage, Limit = SearchLimit, Items = { "contact" }, ModelCodes = { ModelCode(random.Next(ModelCodes)) } };
        var started = Stopwatch.GetTimestamp();
        var first = TimeSpan.Zero;
        long records = 0;
        using var call = client.SearchCustomers(request);
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            if (records++ == 0)
            {
                first = Stopwatch.GetElapsedTime(started);
            }
        }

        return (records, first, Stopwatch.GetElapsedTime(started));
    }

    private static async Task ReadAsync(Records.RecordsClient client, Random random, long size)
    {
        var request = new GetCustomerRequest { Purpose = "marketing", OwnerParty = BenchHub.Garage, CustomerRef = CustomerRef(random.NextInt64(size)), Items = { "contact" } };
        var reply = await client.GetCustomerAsync(request).ConfigureAwait(false);
        if (reply.Record.Contact is null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "The hub provided no contact data for marketing."));
        }
    }

    private static string CustomerRef(long index) => FormattableString.Invariant($"S{index:D9}");

    private static string ModelCode(long index) => FormattableString.Invariant($"SCALE-{index % ModelCodes:D3}");

    private static void Print(ScaleStep s, BenchProvider provider)
    {
        static string MiB(long bytes) => FormattableString.Invariant($"{bytes / 1048576.0:N0} MiB");
        Report.Line($"  {s.Customers:N0} customers, {s.Entries:N0} log entries (step took {s.Elapsed.TotalMinutes:F1} min; writing the customers {s.Writing.TotalSeconds:N0} s, growing the log {s.Load.Elapsed.TotalSeconds:N0} s at {s.Load.EntriesPerSecond:N0} entries/s)");
        Report.Line($"    disk: {MiB(s.Disk.DatabaseBytes)} in all, {(double)s.Disk.DatabaseBytes / s.Entries:F0} bytes per log entry; the log's tables and indexes {MiB(s.Disk.LogBytes)}, {(double)s.Disk.LogBytes / s.Entries:F0} bytes per entry");
        if (provider == BenchProvider.Sqlite)
        {
            Report.Line($"    WAL under search load: peak {MiB(s.Load.PeakWalBytes)}, {MiB(s.Load.EndWalBytes)} when the load ended");
        }

        Report.Line($"    memory under load: peak {s.Load.Peak.Describe()}; at its end {s.Load.UnderLoad.Describe()}");
        Report.Line($"    memory after {Idle.TotalSeconds:F0} s idle: {s.Idle.Describe()}");
        Report.Line($"    search: {s.Search.Result.PerSecond:N0} records/s, {s.Search.Result.CpuMicrosecondsPerOperation:F0} µs CPU per record; first record after {s.Search.FirstRecordMs:F1} ms, whole search {s.Search.WholeMs:F1} ms (p50)");
        Report.Line($"    single read: {s.Read.PerSecond:N0} reads/s, {s.Read.CpuMicrosecondsPerOperation:F0} µs CPU per read");
        Report.Line($"    Verify: {(s.Verify.Intact ? "intact" : "NOT INTACT")}, {s.Verify.Entries:N0} entries in {s.Verify.Elapsed.TotalSeconds:F1} s, {s.Verify.Entries / s.Verify.Elapsed.TotalSeconds:N0} entries/s");
    }

    private static void Summary(List<ScaleStep> steps, BenchProvider provider)
    {
        Console.WriteLine();
        Report.Line($"scale figures ({provider}), one line each, per step:");
        void Row(string key, Func<ScaleStep, double> value) =>
            Report.Line($"{key}: {string.Join(" ", steps.Select(s => value(s).ToString(value(s) < 100 ? "F2" : "F0", CultureInfo.InvariantCulture)))}");
        Row("scale_customers", s => s.Customers);
        Row("scale_log_entries", s => s.Entries);
        Row("scale_disk_bytes_per_entry", s => (double)s.Disk.DatabaseBytes / s.Entries);
        Row("scale_log_disk_bytes_per_entry", s => (double)s.Disk.LogBytes / s.Entries);
        Row("scale_wal_peak_mib", s => s.Load.PeakWalBytes / 1048576.0);
        Row("scale_working_set_peak_mib", s => s.Load.Peak.WorkingSet / 1048576.0);
        Row("scale_gc_heap_peak_mib", s => s.Load.Peak.GcHeap / 1048576.0);
        Row("scale_sqlite_memory_peak_mib", s => s.Load.Peak.Sqlite / 1048576.0);
        Row("scale_working_set_idle_mib", s => s.Idle.WorkingSet / 1048576.0);
        Row("scale_gc_heap_idle_mib", s => s.Idle.GcHeap / 1048576.0);
        Row("scale_sqlite_memory_idle_mib", s => s.Idle.Sqlite / 1048576.0);
        Row("scale_search_records_per_second", s => s.Search.Result.PerSecond);
        Row("scale_search_cpu_us_per_record", s => s.Search.Result.CpuMicrosecondsPerOperation);
        Row("scale_search_first_record_ms", s => s.Search.FirstRecordMs);
        Row("scale_search_whole_ms", s => s.Search.WholeMs);
        Row("scale_read_cpu_us", s => s.Read.CpuMicrosecondsPerOperation);
        Row("scale_verify_seconds", s => s.Verify.Elapsed.TotalSeconds);
        Row("scale_verify_entries_per_second", s => s.Verify.Entries / s.Verify.Elapsed.TotalSeconds);
    }

    private sealed record ScaleStep(long Customers, long Entries, TimeSpan Writing, LoadFigures Load, SearchFigures Search, ScenarioResult Read, DiskUse Disk, MemorySnapshot Idle, VerifyFigures Verify, TimeSpan Elapsed);

    private sealed record LoadFigures(double EntriesPerSecond, TimeSpan Elapsed, long PeakWalBytes, long EndWalBytes, MemorySnapshot Peak, MemorySnapshot UnderLoad);

    private sealed record SearchFigures(ScenarioResult Result, double FirstRecordMs, double WholeMs);

    private sealed record VerifyFigures(bool Intact, long Entries, TimeSpan Elapsed);
}
