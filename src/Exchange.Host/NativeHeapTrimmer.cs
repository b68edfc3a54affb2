namespace Exchange.Host;

/// <summary>
/// Hands memory that native code (SQLite's page caches, mostly) has freed back to the system every
/// few seconds: glibc keeps it in its arenas otherwise, where only the same arena reuses it.
/// </summary>
/// <remarks>
/// Paced by the machine's clock, not the hub's <see cref="TimeProvider"/>: trimming is upkeep of this
/// process, and a test clock moved on by days would otherwise trim once for every 5 s it skipped.
/// </remarks>
internal sealed class NativeHeapTrimmer : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!NativeHeap.CanTrim)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            NativeHeap.Trim();
        }
    }
}
