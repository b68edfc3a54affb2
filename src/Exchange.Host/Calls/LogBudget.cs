using System.Threading.RateLimiting;

namespace Exchange.Host.Calls;

/// <summary>
/// At most a number of log lines a minute for one kind of event, so that a caller cannot flood the
/// log; each line allowed learns how many were not logged since the one before.
/// </summary>
internal sealed class LogBudget(int perMinute) : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perMinute,
        TokensPerPeriod = perMinute,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    private long _dropped;

    /// <summary>Whether a line may be logged now; if so, <paramref name="dropped"/> is how many were not since the last one.</summary>
    public bool MayLog(out long dropped)
    {
        using var lease = _bucket.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            Interlocked.Increment(ref _dropped);
            dropped = 0;
            return false;
        }

        dropped = Interlocked.Exchange(ref _dropped, 0);
        return true;
    }

    public void Dispose() => _bucket.Dispose();
}
