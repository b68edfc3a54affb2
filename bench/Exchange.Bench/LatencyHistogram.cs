using System.Diagnostics;
using System.Numerics;

namespace Exchange.Bench;

/// <summary>
/// Call latencies in microseconds, safe to record from many callers at once: exact below 1,024 µs,
/// then 512 buckets per power of two (within 0.2%), up to about an hour. Fixed size, no allocation.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Exact = 1024;
    private const int SubBuckets = 512;
    private const int Powers = 22;
    private readonly long[] _buckets = new long[Exact + (SubBuckets * Powers)];

    public void Record(long startTimestamp) => RecordMicroseconds(Stopwatch.GetElapsedTime(startTimestamp).Ticks / 10);

    /// <summary>Records a latency measured elsewhere (a meter's histogram).</summary>
    public void RecordMicroseconds(long microseconds) => Interlocked.Increment(ref _buckets[Index(microseconds)]);

    /// <summary>The latency in milliseconds below which <paramref name="fraction"/> of the calls completed.</summary>
    public double Percentile(double fraction)
    {
        long total = 0;
        foreach (var count in _buckets)
        {
            total += count;
        }

        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(fraction * total));
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank)
            {
                return (LowerBound(i) + LowerBound(i + 1)) / 2.0 / 1000.0;
            }
        }

        return LowerBound(_buckets.Length) / 1000.0;
    }

    private static int Index(long microseconds)
    {
        if (microseconds < Exact)
        {
            return (int)Math.Max(0, microseconds);
        }

        // microseconds lies in [512 << shift, 1024 << shift).
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)microseconds) - 9;
        var index = Exact + ((shift - 1) * SubBuckets) + (int)((microseconds >> shift) - SubBuckets);
        return Math.Min(index, Exact + (SubBuckets * Powers) - 1);
    }

    private static long LowerBound(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        var shift = ((index - Exact) / SubBuckets) + 1;
        var sub = ((index - Exact) % SubBuckets) + SubBuckets;
        return (long)sub << shift;
    }
}
