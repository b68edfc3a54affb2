using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;

namespace Exchange.Host.Telemetry;

/// <summary>
/// Counts every provision-log fact (<see cref="HubMetrics.Provisions"/>) and logs each call's
/// decisions: a line for what was provided or received, and, at most <see cref="RefusalLinesPerMinute"/>
/// a minute for each rule, a line for a refusal that says how many were not logged. Lines carry the
/// call ID, the calling party, the purpose label and the outcome: never items, persons or values.
/// </summary>
internal sealed class DecisionTelemetry(HubMetrics metrics, ILogger<DecisionTelemetry> logger) : IProvisionObserver, IDisposable
{
    /// <summary>Refusal lines logged a minute for one rule at most.</summary>
    public const int RefusalLinesPerMinute = 10;

    private readonly ConcurrentDictionary<string, RuleLines> _refusals = new(StringComparer.Ordinal);

    public void Recording(IReadOnlyList<ProvisionFact> facts)
    {
        metrics.Provisions(facts);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var count = 0;
        ProvisionFact? run = null;
        foreach (var fact in facts)
        {
            if (run is not null && (fact.CallId != run.CallId || fact.Outcome != run.Outcome || fact.Rule != run.Rule || fact.Purpose != run.Purpose))
            {
                Log(run, count);
                count = 0;
            }

            run = fact;
            count++;
        }

        if (run is not null)
        {
            Log(run, count);
        }
    }

    public void Dispose()
    {
        foreach (var lines in _refusals.Values)
        {
            lines.Dispose();
        }
    }

    // The party that called: a vendor acts as agent; a write or an opt-out names the caller as provider, the hub as recipient; a read the caller as recipient.
    private static string CallerOf(ProvisionFact fact) => fact.Agent ?? (fact.Recipient == ProvisionFact.Hub ? fact.Provider : fact.Recipient);

    private void Log(ProvisionFact fact, int count)
    {
        var purpose = metrics.PurposeLabel(fact.Purpose);
        if (fact.Outcome != ProvisionOutcome.Refused)
        {
            TelemetryLog.Decided(logger, fact.CallId, CallerOf(fact), count, HubMetrics.OutcomeLabel(fact.Outcome), purpose);
            return;
        }

        var rule = HubMetrics.RuleLabel(fact.Rule);
        var lines = _refusals.GetOrAdd(rule, static _ => new RuleLines());
        if (lines.MayLog(out var dropped))
        {
            TelemetryLog.Refused(logger, fact.CallId, CallerOf(fact), rule, purpose, count, dropped);
        }
    }

    private sealed class RuleLines : IDisposable
    {
        private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = RefusalLinesPerMinute,
            TokensPerPeriod = RefusalLinesPerMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

        private long _dropped;

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
}
