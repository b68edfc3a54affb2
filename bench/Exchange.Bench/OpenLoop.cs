using System.Diagnostics;

namespace Exchange.Bench;

/// <summary>
/// Calls offered at a fixed rate, whether or not earlier ones have been answered (open loop), each
/// timed from the moment it was due, not from when it was sent: a system that falls behind shows it
/// in the latency instead of slowing its callers down (no coordinated omission). Also times how late
/// each call was sent, which is the load generator's own share of the latency.
/// </summary>
internal static class OpenLoop
{
    // As a client's call pool would bound them: beyond it a call waits to be sent, still timed from
    // when it was due. Unbounded, an overloaded hub drowns in open streams; with 256 a read cost
    // measurably more CPU than with the flat-out scenario's 128 readers (docs/performance.md), so 128 here too.
    private const int MaxInFlight = 128;

    /// <summary>
    /// Runs <paramref name="call"/> <paramref name="rate"/> times a second through the warm-up and the
    /// window, given each call's number, each started from one dispatcher thread of its own (the
    /// call's synchronous part runs there, the rest on the thread pool); <paramref name="call"/> may
    /// keep state between calls up to its first await, which runs on that thread.
    /// </summary>
    public static async Task<ScenarioResult> RunAsync(string name, string unit, int rate, TimeSpan warmup, TimeSpan window, Func<long, Measurement, Task> call, Action<Measurement>? started = null)
    {
        var latencies = new LatencyHistogram();
        var lateness = new LatencyHistogram();
        var interval = Stopwatch.Frequency / (double)rate;
        var result = await Measurement.RunAsync(name, unit, 1, warmup, window, (worker, run) =>
        {
            started?.Invoke(run);
            var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var dispatcher = new Thread(() =>
            {
                try
                {
                    Dispatch(run);
                    dispatched.SetResult();
                }
                catch (Exception e)
                {
                    dispatched.SetException(e);
                }
            })
            { IsBackground = true, Name = "Bench dispatcher" };
            dispatcher.Start();
            return dispatched.Task;
        }, latencies).ConfigureAwait(false);
        return result with
        {
            Detail = FormattableString.Invariant($"    sent after they were due (the dispatcher's sleep, a core to run on, {MaxInFlight} in flight at most): p50 {lateness.Percentile(0.5):F2} ms, p99 {lateness.Percentile(0.99):F2} ms"),
        };

        void Dispatch(Measurement run)
        {
            using var inFlight = new SemaphoreSlim(MaxInFlight, MaxInFlight);
            var calls = new List<Task>();
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; !run.IsStopping; i++)
            {
                var due = start + (long)(i * interval);
                // Whole milliseconds, each wake sending every call due. Task.Delay(1) on the thread pool
                // sent calls late by the pool's queue, and shorter sleeps cost CPU in wake-ups
                // (docs/performance.md).
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }

                inFlight.Wait(run.Abort);
                if (run.IsMeasuring)
                {
                    lateness.Record(due);
                }

                calls.Add(CallDueAsync(i, due));
                if (calls.Count >= 2 * MaxInFlight)
                {
                    calls.RemoveAll(c => c.IsCompletedSuccessfully);
                }
            }

            Task.WhenAll(calls).GetAwaiter().GetResult();

            async Task CallDueAsync(long number, long due)
            {
                try
                {
                    await call(number, run).ConfigureAwait(false);
                    if (run.IsMeasuring)
                    {
                        latencies.Record(due);
                    }

                    run.Add(0);
                }
                finally
                {
                    inFlight.Release();
                }
            }
        }
    }
}
