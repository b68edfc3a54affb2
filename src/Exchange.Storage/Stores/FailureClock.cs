using System.Diagnostics;

namespace Exchange.Storage.Stores;

/// <summary>Since when a background task keeps failing, for health checks: started by the first failure, cleared by a success.</summary>
internal sealed class FailureClock
{
    private long _since;

    /// <summary>How long it has been failing, or null while it works.</summary>
    public TimeSpan? FailingFor => Volatile.Read(ref _since) is var since and not 0 ? Stopwatch.GetElapsedTime(since) : null;

    public void Failed() => Interlocked.CompareExchange(ref _since, Stopwatch.GetTimestamp(), 0);

    public void Succeeded() => Volatile.Write(ref _since, 0);
}
