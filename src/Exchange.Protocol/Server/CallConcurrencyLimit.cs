using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;

namespace Exchange.Protocol.Server;

/// <summary>
/// How many calls the server runs at once: one per server. Three limits apply to every call, each a
/// <see cref="ConcurrencyLimiter"/> that never queues:
/// <list type="bullet">
/// <item>per party (a <see cref="PartitionedRateLimiter{TResource}"/> keyed by the caller's party ID),
/// so that one party cannot take every slot;</item>
/// <item>the shared part of the total (the total less the reserve), for parties
/// <see cref="IReservedCallers"/> does not name;</item>
/// <item>the total, for everyone: the reserve is what the shared part leaves of it, so the parties
/// <see cref="IReservedCallers"/> names (administrators) can always call while partners fill the rest.</item>
/// </list>
/// </summary>
public sealed class CallConcurrencyLimit : IDisposable
{
    /// <summary>The meter of the limit.</summary>
    public const string MeterName = "Exchange.Protocol.Calls";

    /// <summary>Counter of the calls refused for load; tag <see cref="ScopeTag"/> says which limit refused.</summary>
    public const string Refused = "exchange.calls.refused";

    /// <summary>Gauge of the calls running now.</summary>
    public const string InFlightGauge = "exchange.calls.in_flight";

    /// <summary>Tag of <see cref="Refused"/>: <c>total</c> (the hub was full for the caller) or <c>party</c> (the caller ran its own share). Never a party ID.</summary>
    public const string ScopeTag = "scope";

    /// <summary>How long after a refusal at the total the hub still counts as saturated.</summary>
    public static readonly TimeSpan SaturationMemory = TimeSpan.FromSeconds(5);

    private static readonly KeyValuePair<string, object?> TotalScope = new(ScopeTag, "total");
    private static readonly KeyValuePair<string, object?> PartyScope = new(ScopeTag, "party");

    private readonly ConcurrencyLimiter _total;
    private readonly ConcurrencyLimiter _shared;
    private readonly PartitionedRateLimiter<string> _perParty;
    private readonly IReservedCallers _reserve;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly Counter<long> _refused;
    private long _lastRefusedAtTotal;
    private long _lastWarnedTotal;
    private long _lastWarnedParty;

    /// <summary>Creates the limit.</summary>
    /// <param name="limits">The sizes; checked with <see cref="CallLimits.Validate"/>.</param>
    /// <param name="reserve">Who may use the reserve.</param>
    /// <param name="time">The clock of <see cref="IsSaturated"/>.</param>
    /// <param name="meters">Where the meter is created; null for a meter of its own.</param>
    public CallConcurrencyLimit(CallLimits limits, IReservedCallers reserve, TimeProvider time, IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        Limits = limits;
        _reserve = reserve;
        _time = time;
        _total = Limiter(limits.MaxConcurrentCalls);
        _shared = Limiter(limits.MaxConcurrentCalls - limits.ReservedCalls);
        // The partitions are the parties calling now: their IDs come from certificates the hub
        // issued, so there are no more of them than registered parties; idle ones are dropped.
        _perParty = PartitionedRateLimiter.Create<string, string>(
            partyId => RateLimitPartition.GetConcurrencyLimiter(partyId, _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentCallsPerParty, QueueLimit = 0 }),
            StringComparer.Ordinal);
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _refused = _meter.CreateCounter<long>(Refused, "{call}", "Calls refused with RESOURCE_EXHAUSTED because the hub (scope total) or the calling party (scope party) was running its limit of calls at once.");
        _meter.CreateObservableGauge(InFlightGauge, () => InFlight, "{call}", "Calls the hub is running now, streams included.");
    }

    /// <summary>The sizes of the limit.</summary>
    public CallLimits Limits { get; }

    /// <summary>The most calls run at once.</summary>
    public int MaxConcurrentCalls => Limits.MaxConcurrentCalls;

    /// <summary>The calls running now.</summary>
    public int InFlight => Limits.MaxConcurrentCalls - (int)_total.GetStatistics()!.CurrentAvailablePermits;

    /// <summary>
    /// True while the shared part is full (callers outside the reserve are being refused) or within
    /// <see cref="SaturationMemory"/> of a refusal at the total. A party refused at its own share
    /// does not make the hub saturated: everyone else is still served.
    /// </summary>
    public bool IsSaturated
    {
        get
        {
            if (InFlight >= Limits.MaxConcurrentCalls - Limits.ReservedCalls)
            {
                return true;
            }

            var last = Interlocked.Read(ref _lastRefusedAtTotal);
            return last != 0 && _time.GetElapsedTime(last) < SaturationMemory;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _perParty.Dispose();
        _shared.Dispose();
        _total.Dispose();
        _meter.Dispose();
    }

    // Null when admitted (dispose the lease when the call ends); else the limit that refused.
    internal CallRefusal? TryEnter(string partyId, out CallLease? lease)
    {
        lease = null;
        var party = _perParty.AttemptAcquire(partyId);
        if (!party.IsAcquired)
        {
            party.Dispose();
            _refused.Add(1, PartyScope);
            return CallRefusal.Party;
        }

        RateLimitLease? shared = null;
        if (!_reserve.MayUseReserve(partyId))
        {
            shared = _shared.AttemptAcquire();
            if (!shared.IsAcquired)
            {
                shared.Dispose();
                party.Dispose();
                return RefuseAtTotal();
            }
        }

        var total = _total.AttemptAcquire();
        if (!total.IsAcquired)
        {
            total.Dispose();
            shared?.Dispose();
            party.Dispose();
            return RefuseAtTotal();
        }

        lease = new CallLease(party, shared, total);
        return null;
    }

    // At most one warning each 10 s for each limit while calls are refused: an overload refuses thousands a second.
    internal bool ShouldWarn(CallRefusal refusal)
    {
        ref var lastWarned = ref refusal == CallRefusal.Total ? ref _lastWarnedTotal : ref _lastWarnedParty;
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref lastWarned);
        return (last == 0 || _time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(10)) && Interlocked.CompareExchange(ref lastWarned, now, last) == last;
    }

    private CallRefusal RefuseAtTotal()
    {
        Interlocked.Exchange(ref _lastRefusedAtTotal, _time.GetTimestamp());
        _refused.Add(1, TotalScope);
        return CallRefusal.Total;
    }

    private static ConcurrencyLimiter Limiter(int permits) => new(new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 });
}

/// <summary>Which limit refused a call.</summary>
internal enum CallRefusal
{
    /// <summary>The hub runs all the calls it may run for this caller.</summary>
    Total,

    /// <summary>The caller's party runs its own share.</summary>
    Party,
}

/// <summary>The permits of one admitted call, given back together when it ends.</summary>
internal sealed class CallLease(RateLimitLease party, RateLimitLease? shared, RateLimitLease total) : IDisposable
{
    public void Dispose()
    {
        total.Dispose();
        shared?.Dispose();
        party.Dispose();
    }
}
