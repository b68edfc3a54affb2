using System.Collections.Concurrent;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Host.Calls;

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

    private readonly ConcurrentDictionary<string, LogBudget> _refusals = new(StringComparer.Ordinal);

    public void Recording(IReadOnlyList<ProvisionFact> facts)
    {
        var log = logger.IsEnabled(LogLevel.Information);

        // Runs of one call's entries alike are counted and logged at once: a page of a search is one purpose and outcome.
        var count = 0;
        ProvisionFact? run = null;
        foreach (var fact in facts)
        {
            if (run is not null && (fact.CallId != run.CallId || fact.Outcome != run.Outcome || fact.Rule != run.Rule || fact.Purpose != run.Purpose))
            {
                Observe(run, count, log);
                count = 0;
            }

            run = fact;
            count++;
        }

        if (run is not null)
        {
            Observe(run, count, log);
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

    private void Observe(ProvisionFact fact, int count, bool log)
    {
        metrics.Provisions(fact, count);
        if (!log)
        {
            return;
        }

        var purpose = metrics.PurposeLabel(fact.Purpose);
        if (fact.Outcome != ProvisionOutcome.Refused)
        {
            TelemetryLog.Decided(logger, fact.CallId, CallerOf(fact), count, HubMetrics.OutcomeLabel(fact.Outcome), purpose);
            return;
        }

        var rule = HubMetrics.RuleLabel(fact.Rule);
        var lines = _refusals.GetOrAdd(rule, static _ => new LogBudget(RefusalLinesPerMinute));
        if (lines.MayLog(out var dropped))
        {
            TelemetryLog.Refused(logger, fact.CallId, CallerOf(fact), rule, purpose, count, dropped);
        }
    }
}
