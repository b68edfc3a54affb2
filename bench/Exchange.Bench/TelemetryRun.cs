using Exchange.Contracts.V1;

namespace Exchange.Bench;

/// <summary>
/// <c>--only telemetry</c>: the same purpose-checked reads, offered at <c>--read-rate</c>, against a
/// hub with telemetry off and then against one with it on as an operator runs it, in the order off, on, on, off (meters read by the
/// Prometheus exporter on the operations port, scraped every second; the sampled gauges and periodic
/// health checks; no OTLP, so no spans). One hub at a time: a meter provider listens to
/// meters by name across the process, so two hubs side by side would both pay for one's telemetry.
/// The figure is process CPU time per read (client and hub), at a rate below saturation.
/// </summary>
internal static class TelemetryRun
{
    private const int Rounds = 2;
    private const int Customers = 500;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (options.ReadRate == 0)
        {
            throw new ArgumentException("--only telemetry needs a --read-rate above 0.");
        }

        var reads = options with { Writers = 1 };
        Report.Line($"Exchange bench --only telemetry: {Rounds} rounds of a hub with telemetry off, then on; purpose-checked reads of {Customers} customers offered at {options.ReadRate:N0}/s, {options.Seconds} s measured each");
        var off = new List<double>();
        var on = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            // Off, on, then on, off: a drift over the run (the JIT still optimising, other load) falls on both alike.
            foreach (var enabled in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var warmup = round == 0 && !enabled ? options.FirstWarmup : options.NextWarmup;
                var result = await MeasureAsync(reads with { WarmupSeconds = (int)warmup.TotalSeconds }, enabled).ConfigureAwait(false);
                (enabled ? on : off).Add(result.CpuMicrosecondsPerOperation);
            }
        }

        var cost = (on.Average() / off.Average()) - 1;
        Report.Line($"telemetry: CPU per read {off.Average():F1} µs off, {on.Average():F1} µs on (rounds: off {string.Join(", ", off.Select(v => v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}; on {string.Join(", ", on.Select(v => v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}): {cost:+0.0%;-0.0%} with telemetry on (target: at most +5%)");
        return 0;
    }

    private static async Task<ScenarioResult> MeasureAsync(BenchOptions options, bool telemetry)
    {
        await using var hub = await BenchHub.StartAsync(options, new Dictionary<string, string?>
        {
            ["Exchange:Telemetry:Enabled"] = telemetry ? "true" : "false",
            ["Exchange:Operations:Port"] = telemetry ? "0" : null,
        }).ConfigureAwait(false);
        var garage = new Records.RecordsClient(hub.CreateChannel());
        var seed = new PutCustomersRequest { Purpose = "after-sales" };
        seed.Records.AddRange(Enumerable.Range(0, Customers).Select(i => RecordScenarios.Customer(RecordScenarios.CustomerRef(0, i))));
        await garage.PutCustomersAsync(seed).ConfigureAwait(false);
        var readers = Enumerable.Range(0, options.Connections).Select(_ => new Records.RecordsClient(hub.CreateChannel(BenchHub.GroupBody))).ToArray();

        using var scraping = new CancellationTokenSource();
        var scraper = telemetry ? ScrapeAsync(hub.OperationsAddress!, scraping.Token) : Task.CompletedTask;
        var result = await RecordScenarios.ReadsAtFixedRateAsync(readers, options, Customers).ConfigureAwait(false);
        await scraping.CancelAsync().ConfigureAwait(false);
        await scraper.ConfigureAwait(false);
        return Report.Scenario(result with { Name = $"{result.Name}, telemetry {(telemetry ? "on" : "off")}" });
    }

    private static async Task ScrapeAsync(Uri operations, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                (await http.GetAsync(new Uri(operations, "/metrics"), cancellationToken).ConfigureAwait(false)).EnsureSuccessStatusCode();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
