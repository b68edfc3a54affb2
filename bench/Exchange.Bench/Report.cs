using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Exchange.Bench;

/// <summary>Console output: a line per scenario as it ends, then the table and one <c>name: value</c> line per figure.</summary>
internal static class Report
{
    public static void Line(FormattableString text) => Console.WriteLine(FormattableString.Invariant(text));

    /// <summary>The processor's name where the system tells it (Linux), else the architecture.</summary>
    public static string CpuModel()
    {
        const string Path = "/proc/cpuinfo";
        var model = File.Exists(Path)
            ? File.ReadLines(Path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return model ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static ScenarioResult Scenario(ScenarioResult r)
    {
        var latency = r.Latencies is { } l ? FormattableString.Invariant($", p50 {l.Percentile(0.50):F2} ms, p99 {l.Percentile(0.99):F2} ms") : "";
        Line($"  {r.Name}: {r.PerSecond:N0} {r.Unit}s/s{latency}; per {r.Unit} {r.CpuMicrosecondsPerOperation:F1} µs CPU and {r.AllocatedBytesPerOperation / 1024:F1} KiB allocated (client and hub); cores {r.CpuUse:P0} busy; {r.Gen0Collections} gen0 GCs pausing {r.GcPauses.TotalMilliseconds / r.Elapsed.TotalSeconds:F0} ms/s");
        if (r.Detail.Length > 0)
        {
            Console.WriteLine(r.Detail);
        }

        if (r.WarmupRates.Count > 0)
        {
            Line($"    warm-up, thousands/s in each second: {string.Join(" ", r.WarmupRates.Select(rate => (rate / 1000).ToString("F0", CultureInfo.InvariantCulture)))}");
            var settled = r.WarmupRates.TakeLast(3).Average();
            if (settled < 0.8 * r.PerSecond)
            {
                Line($"    note: the rate was still climbing when the warm-up ended ({settled:N0}/s against {r.PerSecond:N0}/s measured); a longer --warmup gives steadier figures");
            }
        }

        return r;
    }

    public static FloorResult Floor(FloorResult r)
    {
        Line($"  floor under the writes: the rows of {r.Customers:N0} customers the hub wrote ({r.Tables}) inserted again through the provider's fastest path in {r.Transactions:N0} transactions: {r.CustomersPerSecond:N0} customers/s, {r.Cpu.TotalMicroseconds / r.Customers:F1} µs CPU per customer");
        return r;
    }

    public static StatisticsRun Statistics(StatisticsRun r)
    {
        Line($"  statistics by model code over {r.Persons:N0} persons: {r.Elapsed.TotalMilliseconds:N0} ms; {r.AllocatedBytes / 1048576.0:N0} MiB allocated (client and hub); GC heap {r.HeapGrowthBytes / 1048576.0:N0} MiB above its size before at most");
        return r;
    }

    public static RecallRun Recall(RecallRun r)
    {
        Line($"  recall campaign over {r.Vehicles:N0} vehicles: {r.Affected:N0} affected at {r.GaragesReached:N0} garages, matched and their notices queued in {r.MatchSeconds * 1000:N0} ms (one CreateCampaign call)");
        Line($"  recall notices delivered to one garage's subscription, each decided and recorded as it goes out: {r.Delivered:N0} in {r.DeliverySeconds:N1} s, {r.NoticesPerSecond:N0}/s");
        return r;
    }

    public static SubjectsRun Subjects(SubjectsRun r)
    {
        Line($"  incident scope over {r.Entries:N0} entries received by one party ({r.Persons:N0} persons): {r.ScopeSeconds * 1000:N0} ms (one GetIncidentScope call)");
        Line($"  retention run disposing of {r.Records:N0} expired customer records: {r.DisposalSeconds:N1} s, {r.DisposedPerSecond:N0} records/s (one RunRetention call)");
        return r;
    }

    public static (LatencyHistogram Latency, long Entries) PersonReport(LatencyHistogram latency, long entries)
    {
        Line($"  one person's provision report (data and Japanese document, one GetProvisionReport call) on a log of {entries:N0} entries, {SubjectsScenario.ReportedPersons} persons: p50 {latency.Percentile(0.5):F1} ms, p99 {latency.Percentile(0.99):F1} ms");
        return (latency, entries);
    }

    public static TransparencyRun Transparency(TransparencyRun r)
    {
        Line($"  transparency log at {r.Entries:N0} entries, {TransparencyScenario.Rounds} rounds: checkpoint signed p50 {r.Checkpoint.Percentile(0.5):F2} ms, p99 {r.Checkpoint.Percentile(0.99):F2} ms; AddCosignature p50 {r.Cosignature.Percentile(0.5):F2} ms, p99 {r.Cosignature.Percentile(0.99):F2} ms; whole witness round (checkpoint, consistency proof checked, cosign, submit) p50 {r.WitnessRound.Percentile(0.5):F2} ms, p99 {r.WitnessRound.Percentile(0.99):F2} ms");
        return r;
    }

    public static IdleSubscriptionsRun Idle(IdleSubscriptionsRun r)
    {
        Line($"  {r.Subscriptions:N0} idle change-feed subscriptions, opened in {r.Opened.TotalMilliseconds:N0} ms: per subscription {r.WorkingSetPerSubscriptionKib:F1} KiB of working set, {r.GcHeapPerSubscriptionKib:F1} KiB of GC heap (client and hub, after full collections)");
        Console.WriteLine($"    before: {r.Before.Describe()}\n    after:  {r.After.Describe()}");
        return r;
    }

    /// <summary>The table of figures against their targets, then the same figures one per line for scripts.</summary>
    public static void Summary(BenchFigures figures, long peakGcHeapBytes)
    {
        using var process = Process.GetCurrentProcess();
        var peakWorkingSet = process.PeakWorkingSet64 / 1048576.0;
        var gcHeap = peakGcHeapBytes / 1048576.0;
        var rows = new List<(string Figure, string Key, double Value, string Shown, string Target, string Verdict)>();
        void Rate(string figure, string key, ScenarioResult? result, double target = 0)
        {
            if (result is not null)
            {
                rows.Add((figure, key, result.PerSecond, Number(result.PerSecond), target > 0 ? ">= " + Number(target) : "", target > 0 ? Verdict(result.PerSecond >= target) : ""));
            }
        }

        void Ratio(string figure, string key, double ratio, double target, bool atLeast) =>
            rows.Add((figure, key, ratio, FormattableString.Invariant($"{ratio:F2}x"), FormattableString.Invariant($"{(atLeast ? ">=" : "<=")} {target:F1}x"), Verdict(atLeast ? ratio >= target : ratio <= target)));

        void Latency(string name, string key, ScenarioResult? result, double p99Target = 0)
        {
            if (result?.Latencies is { } latencies)
            {
                var (p50, p99) = (latencies.Percentile(0.50), latencies.Percentile(0.99));
                rows.Add((name + " p50", key + "_p50_ms", p50, Milliseconds(p50), "", ""));
                rows.Add((name + " p99", key + "_p99_ms", p99, Milliseconds(p99), p99Target > 0 ? "<= " + Milliseconds(p99Target) : "", p99Target > 0 ? Verdict(p99 <= p99Target) : ""));
            }
        }

        Rate("small unary calls/s", "unary_calls_per_second", figures.Unary, 40_000);
        Latency("unary latency", "unary_latency", figures.Unary);
        Rate("server-streamed small messages/s", "streamed_messages_per_second", figures.Streamed, 300_000);
        Rate("duplex echoed messages/s", "duplex_messages_per_second", figures.Duplex);
        Rate("records written/s in batches, with log", "records_written_per_second", figures.Writes, 20_000);
        if (figures.Floor is { } floor && figures.Writes is { } written)
        {
            rows.Add(("  floor: the same rows inserted raw, customers/s", "write_floor_customers_per_second", floor.CustomersPerSecond, Number(floor.CustomersPerSecond), "", ""));
            Ratio("  hub's writes / floor", "write_floor_ratio", written.PerSecond / floor.CustomersPerSecond, 0.5, atLeast: true);
        }

        Rate("records synced/s through the stream, with log", "records_synced_per_second", figures.Synced);
        if (figures.Synced is { } synced && figures.Writes is { } batched)
        {
            Ratio("  synced / batched", "sync_batch_ratio", synced.PerSecond / batched.PerSecond, 1.0, atLeast: true);
        }

        Rate("purpose-checked single-record reads/s", "purpose_checked_reads_per_second", figures.Reads, 10_000);
        Latency("read latency, readers flat out", "read_latency", figures.Reads);
        // The latency target is for 10,000 reads/s: checked when at least that many were offered.
        Rate(FormattableString.Invariant($"reads/s served when {figures.OfferedReadRate:N0}/s are offered"), "fixed_rate_reads_per_second", figures.FixedRateReads);
        // Reported, not checked: the 10,000 reads/s at p99 <= 5 ms target is retired on 2 cores (docs/performance.md).
        Latency("read latency at that rate", "fixed_rate_read_latency", figures.FixedRateReads);
        Latency("unary Ping latency at that rate (transport)", "fixed_rate_ping_latency", figures.FixedRatePings);
        Latency("the same to a bare grpc-dotnet server", "fixed_rate_bare_ping_latency", figures.BarePings);
        if (figures.BarePings is { } bare)
        {
            rows.Add(("CPU per call at that rate, bare server's Ping (floor)", "bare_ping_cpu_us", bare.CpuMicrosecondsPerOperation, Microseconds(bare.CpuMicrosecondsPerOperation), "", ""));
            if (figures.FixedRatePings is { } ping)
            {
                rows.Add(("  the hub's Ping", "hub_ping_cpu_us", ping.CpuMicrosecondsPerOperation, Microseconds(ping.CpuMicrosecondsPerOperation), "", ""));
                Ratio("  hub's Ping / floor", "hub_ping_cpu_ratio", ping.CpuMicrosecondsPerOperation / bare.CpuMicrosecondsPerOperation, 1.2, atLeast: false);
            }

            if (figures.FixedRateReads is { } read)
            {
                rows.Add(("  a purpose-checked read", "read_cpu_us", read.CpuMicrosecondsPerOperation, Microseconds(read.CpuMicrosecondsPerOperation), "", ""));
                Ratio("  read / floor", "read_cpu_ratio", read.CpuMicrosecondsPerOperation / bare.CpuMicrosecondsPerOperation, 2.0, atLeast: false);
            }
        }
        Rate(FormattableString.Invariant($"change-feed deliveries/s to {FeedScenarios.Subscribers} subscriptions, with log"), "feed_deliveries_per_second", figures.FeedDelivery);
        if (figures.FeedDelivery is { } delivered)
        {
            rows.Add(("  events/s, each to every subscription", "feed_events_per_second", delivered.PerSecond / FeedScenarios.Subscribers, Number(delivered.PerSecond / FeedScenarios.Subscribers), "", ""));
        }

        if (figures.Recall is { } recall)
        {
            rows.Add((FormattableString.Invariant($"recall campaign matched against {recall.Vehicles:N0} vehicles, notices queued, ms"), "recall_match_ms", recall.MatchSeconds * 1000, Milliseconds(recall.MatchSeconds * 1000), "<= 1000.00 ms", Verdict(recall.MatchSeconds <= 1)));
            rows.Add(("recall notices delivered/s, with log", "recall_notices_per_second", recall.NoticesPerSecond, Number(recall.NoticesPerSecond), "", ""));
        }

        if (figures.PersonReport is { } personReport)
        {
            var p50 = personReport.Latency.Percentile(0.5);
            rows.Add((FormattableString.Invariant($"one person's provision report, log of {personReport.Entries:N0} entries, p50 ms"), "person_report_ms", p50, Milliseconds(p50), "<= 50.00 ms", Verdict(p50 <= 50)));
        }

        if (figures.Subjects is { } subjects)
        {
            rows.Add((FormattableString.Invariant($"incident scope over {subjects.Entries:N0} log entries, ms"), "incident_scope_ms", subjects.ScopeSeconds * 1000, Milliseconds(subjects.ScopeSeconds * 1000), "", ""));
            rows.Add((FormattableString.Invariant($"retention run over {subjects.Records:N0} expired records, records/s"), "disposal_records_per_second", subjects.DisposedPerSecond, Number(subjects.DisposedPerSecond), "", ""));
        }

        if (figures.IdleSubscriptions is { } idle)
        {
            rows.Add((FormattableString.Invariant($"memory per idle subscription ({idle.Subscriptions:N0} open), working set"), "idle_subscription_working_set_kib", idle.WorkingSetPerSubscriptionKib, FormattableString.Invariant($"{idle.WorkingSetPerSubscriptionKib:F1} KiB"), "", ""));
            rows.Add(("  GC heap", "idle_subscription_gc_heap_kib", idle.GcHeapPerSubscriptionKib, FormattableString.Invariant($"{idle.GcHeapPerSubscriptionKib:F1} KiB"), "", ""));
        }

        if (figures.Statistics is { } statistics)
        {
            rows.Add(("statistics query over the records, time", "statistics_ms", statistics.Elapsed.TotalMilliseconds, FormattableString.Invariant($"{statistics.Elapsed.TotalMilliseconds:N0} ms"), "", ""));
            rows.Add(("statistics query, GC heap growth", "statistics_heap_growth_mib", statistics.HeapGrowthBytes / 1048576.0, FormattableString.Invariant($"{statistics.HeapGrowthBytes / 1048576.0:N0} MiB"), "", ""));
        }

        rows.Add(("peak working set (process)", "peak_working_set_mib", peakWorkingSet, FormattableString.Invariant($"{peakWorkingSet:N0} MiB"), "", ""));
        rows.Add(("peak GC heap (sampled)", "peak_gc_heap_mib", gcHeap, FormattableString.Invariant($"{gcHeap:N0} MiB"), "", ""));
        rows.Add(("cores", "cores", Environment.ProcessorCount, FormattableString.Invariant($"{Environment.ProcessorCount}"), "", ""));

        Console.WriteLine();
        Table(rows.Select(r => (r.Figure, r.Shown, r.Target, r.Verdict)).ToList());
        Console.WriteLine();
        foreach (var row in rows)
        {
            Line($"{row.Key}: {(row.Key.EndsWith("_ms", StringComparison.Ordinal) || row.Key.EndsWith("_ratio", StringComparison.Ordinal) ? row.Value.ToString("F2", CultureInfo.InvariantCulture) : row.Value.ToString("F0", CultureInfo.InvariantCulture))}");
        }
    }

    private static void Table(List<(string Figure, string Value, string Target, string Verdict)> rows)
    {
        var header = ("figure", "value", "target", "");
        var all = rows.Prepend(header).ToList();
        var w1 = all.Max(r => r.Item1.Length);
        var w2 = all.Max(r => r.Item2.Length);
        var w3 = all.Max(r => r.Item3.Length);
        foreach (var (figure, value, target, verdict) in all)
        {
            Console.WriteLine($"{figure.PadRight(w1)}  {value.PadLeft(w2)}  {target.PadRight(w3)}  {verdict}".TrimEnd());
        }
    }

    private static string Number(double value) => FormattableString.Invariant($"{value:N0}");

    private static string Milliseconds(double value) => FormattableString.Invariant($"{value:F2} ms");

    private static string Microseconds(double value) => FormattableString.Invariant($"{value:F0} µs");

    private static string Verdict(bool met) => met ? "PASS" : "MISS";
}

/// <summary>The scenarios that ran (null: skipped), the calls/s the fixed-rate ones offered, and the writes' floor.</summary>
internal sealed record BenchFigures(ScenarioResult? Unary, ScenarioResult? Streamed, ScenarioResult? Duplex, ScenarioResult? Writes, ScenarioResult? Synced, ScenarioResult? Reads, ScenarioResult? FixedRateReads, ScenarioResult? FixedRatePings, ScenarioResult? BarePings, int OfferedReadRate, StatisticsRun? Statistics, FloorResult? Floor)
{
    /// <summary>Change-feed events delivered to many subscriptions, or null when skipped.</summary>
    public ScenarioResult? FeedDelivery { get; init; }

    /// <summary>The memory of a hub holding idle subscriptions, or null when skipped.</summary>
    public IdleSubscriptionsRun? IdleSubscriptions { get; init; }

    /// <summary>A recall campaign matched at size and its notices delivered, or null when skipped.</summary>
    public RecallRun? Recall { get; init; }

    public SubjectsRun? Subjects { get; init; }

    public (LatencyHistogram Latency, long Entries)? PersonReport { get; init; }
}
