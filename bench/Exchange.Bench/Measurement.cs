using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Exchange.Bench;

/// <summary>
/// One scenario's run: its workers go on without pause through the warm-up and the measured window,
/// so the window sees a steady state; what they count between the two marks is the result. When the
/// window closes the workers are told to stop, and whatever still runs after a grace period is cancelled.
/// </summary>
internal sealed class Measurement : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    private readonly Slot[] _counts;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _measuring;

    private Measurement(int workers)
    {
        _counts = new Slot[workers];
    }

    /// <summary>Set while the measured window is open: record latencies only then.</summary>
    public bool IsMeasuring => _measuring;

    /// <summary>Cancelled a grace period after the window closed: for every call, so nothing can hang the bench.</summary>
    public CancellationToken Abort => _abort.Token;

    /// <summary>Set when the measured window has closed: workers finish what they are doing and return.</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Runs <paramref name="workers"/> copies of <paramref name="worker"/> (given their index) through <paramref name="warmup"/> and then <paramref name="window"/>.</summary>
    public static async Task<ScenarioResult> RunAsync(string name, string unit, int workers, TimeSpan warmup, TimeSpan window, Func<int, Measurement, Task> worker, LatencyHistogram? latencies = null)
    {
        using var run = new Measurement(workers);
        var tasks = Enumerable.Range(0, workers).Select(i => Task.Run(() => worker(i, run))).ToArray();
        try
        {
            var warmupRates = await WarmUpAsync(run, warmup, tasks).ConfigureAwait(false);
            var before = Snapshot.Take(run);
            run._measuring = true;
            await WaitAsync(window, tasks).ConfigureAwait(false);
            run._measuring = false;
            var after = Snapshot.Take(run);
            return new ScenarioResult(name, unit, after.Operations - before.Operations, Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp), after.Cpu - before.Cpu,
                after.Allocated - before.Allocated, after.Collections - before.Collections, after.GcPauses - before.GcPauses, latencies, warmupRates);
        }
        finally
        {
            await run._stopping.CancelAsync().ConfigureAwait(false);
            run._abort.CancelAfter(Grace);
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }

    /// <summary>Counts one operation (or <paramref name="count"/>) of worker <paramref name="worker"/>, in a slot of its own (atomically: a worker's calls may complete concurrently).</summary>
    public void Add(int worker, long count = 1) => Interlocked.Add(ref _counts[worker].Value, count);

    public void Dispose()
    {
        _stopping.Dispose();
        _abort.Dispose();
    }

    // Operations per second through the warm-up, second by second, to show when the rate settled.
    private static async Task<List<double>> WarmUpAsync(Measurement run, TimeSpan warmup, Task[] workers)
    {
        var rates = new List<double>();
        var started = Stopwatch.GetTimestamp();
        var (last, lastTime) = (run.Total(), started);
        for (var second = 1; second <= Math.Ceiling(warmup.TotalSeconds); second++)
        {
            var until = TimeSpan.FromSeconds(Math.Min(second, warmup.TotalSeconds));
            await WaitAsync(until - Stopwatch.GetElapsedTime(started), workers).ConfigureAwait(false);
            var (now, nowTime) = (run.Total(), Stopwatch.GetTimestamp());
            rates.Add((now - last) / Stopwatch.GetElapsedTime(lastTime, nowTime).TotalSeconds);
            (last, lastTime) = (now, nowTime);
        }

        return rates;
    }

    // A worker that failed ends the run at once instead of leaving the others to measure without it.
    private static async Task WaitAsync(TimeSpan duration, Task[] workers)
    {
        var delay = Task.Delay(duration > TimeSpan.Zero ? duration : TimeSpan.Zero);
        var finished = await Task.WhenAny(delay, Task.WhenAny(workers)).ConfigureAwait(false);
        if (finished != delay)
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
            throw new InvalidOperationException("A worker stopped before the measured window closed.");
        }
    }

    private long Total()
    {
        long total = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            total += Volatile.Read(ref _counts[i].Value);
        }

        return total;
    }

    /// <summary>A counter on a cache line of its own, so workers on different cores do not slow each other.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Slot
    {
        [FieldOffset(64)]
        public long Value;
    }

    private readonly record struct Snapshot(long Operations, long Timestamp, TimeSpan Cpu, long Allocated, int Collections, TimeSpan GcPauses)
    {
        public static Snapshot Take(Measurement run)
        {
            using var process = Process.GetCurrentProcess();
            return new Snapshot(run.Total(), Stopwatch.GetTimestamp(), process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), GC.GetTotalPauseDuration());
        }
    }
}

/// <summary>What one scenario measured: operations in the window and what they cost the process (client and hub).</summary>
internal sealed record ScenarioResult(string Name, string Unit, long Operations, TimeSpan Elapsed, TimeSpan Cpu, long AllocatedBytes, int Gen0Collections, TimeSpan GcPauses, LatencyHistogram? Latencies, List<double> WarmupRates)
{
    /// <summary>A further line the scenario reports, or empty.</summary>
    public string Detail { get; init; } = "";

    public double PerSecond => Operations / Elapsed.TotalSeconds;

    /// <summary>Process CPU time per operation, client and hub together.</summary>
    public double CpuMicrosecondsPerOperation => Operations == 0 ? 0 : Cpu.TotalMicroseconds / Operations;

    public double AllocatedBytesPerOperation => Operations == 0 ? 0 : (double)AllocatedBytes / Operations;

    /// <summary>Share of the machine's cores the process used during the window.</summary>
    public double CpuUse => Cpu / (Elapsed * Environment.ProcessorCount);
}
