namespace Exchange.Host;

/// <summary>
/// Hands memory that native code (SQLite's page caches, mostly) has freed back to the system every
/// few seconds: glibc keeps it in its arenas otherwise, where only the same arena reuses it.
/// </summary>
internal sealed class NativeHeapTrimmer(TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!NativeHeap.CanTrim)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            NativeHeap.Trim();
        }
    }
}
