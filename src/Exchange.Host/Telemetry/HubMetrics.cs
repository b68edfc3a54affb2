using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Reflection;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Host.Telemetry;

/// <summary>
/// The hub's own figures on the meter <see cref="MeterName"/> (docs/operations.md lists them). Every
/// label takes a value the hub defines: a purpose of a declaration the hub published, a rule of
/// <see cref="PolicyRules"/>, an outcome, a health check's name; anything else is counted as
/// <see cref="Other"/>, so no caller-chosen text or personal value becomes a label.
/// </summary>
internal sealed class HubMetrics : IDisposable
{
    public const string MeterName = "Exchange.Host";

    /// <summary>The label of a purpose or rule the hub does not define.</summary>
    public const string Other = "other";

    private static readonly FrozenSet<string> Rules = typeof(PolicyRules).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> BuiltInPurposes = typeof(Purposes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToFrozenSet(StringComparer.Ordinal);

    // provided, received, refused, opted_out...: the contract's names, so that an outcome added to it is labelled too.
    private static readonly FrozenDictionary<ProvisionOutcome, string> Outcomes = System.Enum.GetValues<ProvisionOutcome>()
        .Where(o => o != ProvisionOutcome.Unspecified)
        .ToFrozenDictionary(o => o, o => System.Text.RegularExpressions.Regex.Replace(o.ToString(), "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant());

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Counter<long> _provisions;
    private readonly UpDownCounter<long> _syncs;
    private readonly UpDownCounter<long> _subscribers;
    private readonly Histogram<double> _feedLag;
    private readonly Counter<long> _verifications;
    private volatile FrozenSet<string> _declaredPurposes = FrozenSet<string>.Empty;
    private volatile HubSample? _sample;
    private volatile HealthReport? _health;

    public HubMetrics(TimeProvider time, IMeterFactory? meters = null)
    {
        _time = time;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _provisions = _meter.CreateCounter<long>("exchange.provisions", "{entry}", "Provision-log entries by purpose, outcome and refusing rule: each one decision about one person, or one refused request.");
        _syncs = _meter.CreateUpDownCounter<long>("exchange.sync.open", "{stream}", "Records/Sync streams open now.");
        _subscribers = _meter.CreateUpDownCounter<long>("exchange.feed.subscribers", "{stream}", "Feed/Subscribe streams open now.");
        _feedLag = _meter.CreateHistogram<double>("exchange.feed.lag", "s", "For each feed event sent, how long after the change it reports.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600, 86400] });
        _verifications = _meter.CreateCounter<long>("exchange.provision_log.verifications", "{walk}", "Chain verifications asked for, by result: intact or broken.");
        _meter.CreateObservableGauge("exchange.provision_log.length", () => Sampled(s => s.ChainLength), "{entry}", "Entries in the provision log's chain (sampled).");
        _meter.CreateObservableGauge("exchange.provision_log.unsigned", () => Sampled(s => s.ChainLength - s.CheckpointSize), "{entry}", "Entries after the latest signed tree checkpoint (sampled).");
        _meter.CreateObservableGauge("exchange.provision_log.checkpoint.age", CheckpointAge, "s", "Time since the latest signed tree checkpoint (none yet: no measurement).");
        _meter.CreateObservableGauge("exchange.certificates.expiring", ExpiringCertificates, "{certificate}", "Party certificates in use that expire within the days of the label within_days (sampled).");
        _meter.CreateObservableGauge("exchange.health.status", HealthStatuses, "1", "Each health check: 1 healthy, 0.5 degraded, 0 unhealthy (checks run every sample interval).");
    }

    /// <summary>Counts <paramref name="count"/> facts labelled as <paramref name="fact"/> is.</summary>
    public void Provisions(ProvisionFact fact, int count)
    {
        if (_provisions.Enabled)
        {
            _provisions.Add(count, new KeyValuePair<string, object?>("purpose", PurposeLabel(fact.Purpose)), new KeyValuePair<string, object?>("outcome", OutcomeLabel(fact.Outcome)), new KeyValuePair<string, object?>("rule", RuleLabel(fact.Rule)));
        }
    }

    /// <summary>The purpose as a label: itself if the hub defines it, else <see cref="Other"/> (or "none").</summary>
    public string PurposeLabel(string purpose) =>
        purpose.Length == 0 ? "none" : BuiltInPurposes.Contains(purpose) || _declaredPurposes.Contains(purpose) ? purpose : Other;

    /// <summary>The rule as a label: one of <see cref="PolicyRules"/>, "none" for no rule, else <see cref="Other"/>.</summary>
    public static string RuleLabel(string? rule) => rule is null ? "none" : Rules.Contains(rule) ? rule : Other;

    /// <summary>The outcome as a label.</summary>
    public static string OutcomeLabel(ProvisionOutcome outcome) => Outcomes.GetValueOrDefault(outcome, Other);

    /// <summary>Counts a Records/Sync stream open until the result is disposed.</summary>
    public IDisposable SyncOpened() => new Open(_syncs);

    /// <summary>Counts a Feed/Subscribe stream open until the result is disposed.</summary>
    public IDisposable SubscriberOpened() => new Open(_subscribers);

    /// <summary>Records how late a feed event is sent.</summary>
    public void FeedSent(Timestamp? occurredAt)
    {
        if (occurredAt is not null && _feedLag.Enabled)
        {
            _feedLag.Record(Math.Max(0, (_time.GetUtcNow() - occurredAt.ToDateTimeOffset()).TotalSeconds));
        }
    }

    /// <summary>Counts a chain verification by its result.</summary>
    public void Verified(bool intact) => _verifications.Add(1, new KeyValuePair<string, object?>("result", intact ? "intact" : "broken"));

    /// <summary>Takes the sampled figures and the purposes of the declarations stored.</summary>
    public void Sampled(HubSample sample)
    {
        _declaredPurposes = sample.DeclaredPurposes.ToFrozenSet(StringComparer.Ordinal);
        _sample = sample;
    }

    /// <summary>Takes the latest health report.</summary>
    public void HealthReported(HealthReport report) => _health = report;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Sampled(Func<HubSample, long> figure) =>
        _sample is { } sample ? [new Measurement<long>(figure(sample))] : [];

    private IEnumerable<Measurement<double>> CheckpointAge() =>
        _sample is { CheckpointSignedAt: { } signedAt } ? [new Measurement<double>(Math.Max(0, (_time.GetUtcNow() - signedAt).TotalSeconds))] : [];

    private IEnumerable<Measurement<long>> ExpiringCertificates() =>
        _sample is { } sample ? sample.CertificatesExpiring.Select(e => new Measurement<long>(e.Value, new KeyValuePair<string, object?>("within_days", e.Key))) : [];

    private IEnumerable<Measurement<double>> HealthStatuses() =>
        _health is { } report
            ? report.Entries.Select(e => new Measurement<double>(e.Value.Status switch { HealthStatus.Healthy => 1, HealthStatus.Degraded => 0.5, _ => 0 }, new KeyValuePair<string, object?>("check", e.Key)))
            : [];

    private sealed class Open : IDisposable
    {
        private readonly UpDownCounter<long> _counter;
        private int _disposed;

        public Open(UpDownCounter<long> counter)
        {
            _counter = counter;
            counter.Add(1);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _counter.Add(-1);
            }
        }
    }
}
