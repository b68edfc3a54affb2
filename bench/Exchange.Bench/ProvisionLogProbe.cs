using System.Diagnostics.Metrics;

namespace Exchange.Bench;

/// <summary>
/// What the hub reported on its meters while a scenario's window was open: from the provision log's
/// writer, commits per second, entries per commit, how long a commit took, how long a call waited for
/// its entries; from ASP.NET Core, how long
/// the hub took over each call (from its request headers to its response), which tells the hub's
/// share of a call's latency from the client's and the transport's.
/// </summary>
internal sealed class ProvisionLogProbe : IDisposable
{
    // The names the hub publishes (README, Storage), read as any metrics consumer would read them.
    private const string MeterName = "Exchange.Storage.ProvisionLog";
    private const string HostingMeterName = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";
    private readonly LatencyHistogram _waitLatencies = new();
    private readonly LatencyHistogram _commitLatencies = new();
    private readonly LatencyHistogram _hubLatencies = new();
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private (long Count, double Sum) _commits, _entries, _waits;

    public ProvisionLogProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName || (instrument.Meter.Name == HostingMeterName && instrument.Name == RequestDuration))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.Start();
    }

    /// <summary>The run whose measured window counts; set by its workers.</summary>
    public Measurement? Run { get; set; }

    /// <summary>One line for the report; empty when the writer reported nothing.</summary>
    public string Describe(TimeSpan window)
    {
        lock (_lock)
        {
            return _commits.Count == 0 ? "" : FormattableString.Invariant(
                $"    provision log: {_commits.Count / window.TotalSeconds:N0} commits/s of {_entries.Sum / _entries.Count:F1} entries; a commit took {_commits.Sum / _commits.Count:F2} ms (p99 {_commitLatencies.Percentile(0.99):F2} ms), a call waited {_waits.Sum / Math.Max(1, _waits.Count):F2} ms for its entries (p99 {_waitLatencies.Percentile(0.99):F2} ms)\n") + FormattableString.Invariant(
                $"    in the hub, from request headers to response: p50 {_hubLatencies.Percentile(0.5):F2} ms, p99 {_hubLatencies.Percentile(0.99):F2} ms");
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, double value)
    {
        if (Run?.IsMeasuring != true)
        {
            return;
        }

        lock (_lock)
        {
            switch (instrument)
            {
                case "exchange.provision_log.commit.duration":
                    _commits = (_commits.Count + 1, _commits.Sum + value);
                    _commitLatencies.RecordMicroseconds((long)(value * 1000));
                    break;
                case "exchange.provision_log.commit.entries":
                    _entries = (_entries.Count + 1, _entries.Sum + value);
                    break;
                case "exchange.provision_log.wait":
                    _waits = (_waits.Count + 1, _waits.Sum + value);
                    _waitLatencies.RecordMicroseconds((long)(value * 1000));
                    break;
                case RequestDuration:
                    _hubLatencies.RecordMicroseconds((long)(value * 1_000_000));
                    break;
            }
        }
    }
}
