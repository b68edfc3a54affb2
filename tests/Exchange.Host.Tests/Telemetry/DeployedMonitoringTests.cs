using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Host.Tests.Telemetry;

/// <summary>
/// What deploy/ ships: the alert rules fire on their test series (promtool), the dashboard is what
/// Grafana's published schema types accept (tsc against @grafana/schema), and every metric either
/// names is one a hub serves.
/// </summary>
public sealed partial class DeployedMonitoringTests
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Root => RepositoryRoot.Path;

    private static string Rules => Path.Combine(Root, "deploy", "prometheus", "exchange-rules.yml");

    private static string Dashboard => Path.Combine(Root, "deploy", "grafana", "exchange-dashboard.json");

    [Fact]
    public async Task Each_alert_rule_fires_on_its_test_series()
    {
        // Never skipped: CI installs Debian's prometheus package, which has promtool.
        var (code, output) = await RunAsync("promtool", ["test", "rules", "exchange-rules.test.yml"], Path.GetDirectoryName(Rules)!);

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_type_checks_against_the_Dashboard_type_Grafana_publishes()
    {
        var check = Path.Combine(Root, "deploy", "grafana", "check");
        var (installed, installOutput) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], check);
        Assert.True(installed == 0, installOutput);

        var (code, output) = await RunAsync("npm", ["run", "--silent", "check"], check);

        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Every_metric_the_alert_rules_and_the_dashboard_name_is_served_by_the_hub()
    {
        var instruments = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener { InstrumentPublished = (i, _) => { lock (instruments) { instruments.Add(i.Name); } } };
        listener.Start();
        await using var hub = await TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:Operations:Port"] = "0",
            ["Exchange:TreeCheckpointInterval"] = "00:00:01",
            ["Exchange:Telemetry:SampleInterval"] = "00:00:01",
        });
        var garage = new Records.RecordsClient(hub.Channel(Garage));
        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        await new Records.RecordsClient(hub.Channel(Lotus)).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = "C001", Items = { "contact.name" } }, cancellationToken: Ct);
        await Refusals.FailsAsync(() => garage.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = "C001", Items = { "contact.name" } }, cancellationToken: Ct).ResponseAsync);
        using (var feed = new Feed.FeedClient(hub.Channel(Lotus)).Subscribe(new SubscribeRequest { AfterSequence = 0 }, cancellationToken: Ct))
        {
            var corrected = Sample.Customer("C001");
            corrected.Contact.Name = "山田 次郎";
            await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = corrected }, cancellationToken: Ct);
            Assert.True(await feed.ResponseStream.MoveNext(Ct));
        }

        await new ProvisionLog.ProvisionLogClient(hub.Channel("admin")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        var served = await ScrapeUntilAsync(hub.OperationsAddress!, "exchange_provision_log_checkpoint_age_seconds", "exchange_provision_log_length", "exchange_health_status");

        // Served only while a sync stream is open or calls are refused for load: the instruments exist.
        string[] notDriven = ["exchange_sync_open", "exchange_calls_refused_total"];
        Assert.Contains("exchange.sync.open", instruments);
        Assert.Contains("exchange.calls.refused", instruments);
        var named = MetricNames(File.ReadAllText(Rules))
            .Concat(MetricNames(string.Join('\n', JsonDocument.Parse(File.ReadAllText(Dashboard)).RootElement.GetProperty("panels").EnumerateArray()
                .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()))))
            .Where(n => n != "up")
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(named);
        Assert.All(named.Except(notDriven), name => Assert.True(served.Contains(name), $"{name} is not served:\n{string.Join('\n', served.Order())}"));
    }

    private static async Task<HashSet<string>> ScrapeUntilAsync(Uri operations, params string[] needed)
    {
        // Gauges sampled in the background and the health checks' first run come shortly after start.
        for (var i = 0; ; i++)
        {
            var scrape = await MetricsScrape.ReadAsync(operations);
            var names = scrape.Samples.Select(s => Regex.Replace(s.Name, "_(bucket|count|sum)$", "")).ToHashSet(StringComparer.Ordinal);
            if (needed.All(names.Contains) || i == 100)
            {
                return names;
            }

            await Task.Delay(100, Ct);
        }
    }

    private static IEnumerable<string> MetricNames(string text) =>
        MetricName().Matches(text).Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""));

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }


    [GeneratedRegex(@"\b(?:exchange|rpc_server)_[a-z_]+\b|\bup\b")]
    private static partial Regex MetricName();
}
