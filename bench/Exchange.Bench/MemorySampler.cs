namespace Exchange.Bench;

/// <summary>The GC heap's size sampled through the run, for its peak (the runtime keeps no peak of its own).</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    private MemorySampler()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    public long PeakGcHeapBytes
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak);
        }
    }

    public static MemorySampler Start() => new();

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        long peak;
        while (heap > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, heap, peak) != peak)
        {
        }
    }
}
