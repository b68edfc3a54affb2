using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Exchange.Bench;

/// <summary>Console output: a line per scenario as it ends, then the table and one <c>name: value</c> line per figure.</summary>
internal static class Report
{
    private const double UnaryTarget = 40_000;
    private const double StreamedTarget = 300_000;

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
        Line($"  {r.Name}: {r.PerSecond:N0} {r.Unit}s/s{latency}; per {r.Unit} {r.CpuMicrosecondsPerOperation:F1} µs CPU and {r.AllocatedBytesPerOperation / 1024:F1} KiB allocated (client and hub); cores {r.CpuUse:P0} busy; {r.Gen0Collections} gen0 GCs");
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

    public static void Summary(List<ScenarioResult> results, long peakGcHeapBytes)
    {
        var unary = results[0];
        var streamed = results[1];
        var duplex = results.Count > 2 ? results[2] : null;
        using var process = Process.GetCurrentProcess();
        var peakWorkingSet = process.PeakWorkingSet64 / 1048576.0;
        var gcHeap = peakGcHeapBytes / 1048576.0;
        var p50 = unary.Latencies!.Percentile(0.50);
        var p99 = unary.Latencies.Percentile(0.99);

        Console.WriteLine();
        var rows = new List<(string Figure, string Value, string Target, string Verdict)>
        {
            ("small unary calls/s", Number(unary.PerSecond), ">= 40,000", Verdict(unary.PerSecond, UnaryTarget)),
            ("unary latency p50", Milliseconds(p50), "", ""),
            ("unary latency p99", Milliseconds(p99), "", ""),
            ("server-streamed small messages/s", Number(streamed.PerSecond), ">= 300,000", Verdict(streamed.PerSecond, StreamedTarget)),
        };
        if (duplex is not null)
        {
            rows.Add(("duplex echoed messages/s", Number(duplex.PerSecond), "", ""));
        }

        rows.Add(("peak working set (process)", FormattableString.Invariant($"{peakWorkingSet:N0} MiB"), "", ""));
        rows.Add(("peak GC heap (sampled)", FormattableString.Invariant($"{gcHeap:N0} MiB"), "", ""));
        rows.Add(("cores", FormattableString.Invariant($"{Environment.ProcessorCount}"), "", ""));
        Table(rows);

        Console.WriteLine();
        Line($"unary_calls_per_second: {unary.PerSecond:F0}");
        Line($"unary_latency_p50_ms: {p50:F2}");
        Line($"unary_latency_p99_ms: {p99:F2}");
        Line($"streamed_messages_per_second: {streamed.PerSecond:F0}");
        if (duplex is not null)
        {
            Line($"duplex_messages_per_second: {duplex.PerSecond:F0}");
        }

        Line($"peak_working_set_mib: {peakWorkingSet:F0}");
        Line($"peak_gc_heap_mib: {gcHeap:F0}");
        Line($"cores: {Environment.ProcessorCount}");
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

    private static string Verdict(double value, double target) => value >= target ? "PASS" : "BELOW";
}
