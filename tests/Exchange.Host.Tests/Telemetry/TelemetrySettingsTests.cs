using System.Net;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Exchange.Host.Tests.Telemetry;

/// <summary>Exchange:Telemetry and Exchange:Operations as configured: off, JSON logs, a bad address.</summary>
public sealed class TelemetrySettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Telemetry_turned_off_serves_no_metrics_while_the_probes_still_answer()
    {
        await using var hub = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Operations:Port"] = "0", ["Exchange:Telemetry:Enabled"] = "false" });
        using var http = new HttpClient { BaseAddress = hub.OperationsAddress };

        Assert.Null(hub.Services.GetService<MeterProvider>());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("true", ConsoleFormatterNames.Json)]
    [InlineData("false", ConsoleFormatterNames.Simple)]
    public async Task The_console_writes_JSON_when_configured(string json, string formatter)
    {
        await using var hub = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Telemetry:JsonConsole"] = json });

        Assert.Equal(formatter, hub.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task An_operations_address_that_is_not_an_IP_address_stops_the_hub_at_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Operations:Port"] = "0", ["Exchange:Operations:Address"] = "ops.example" }));

        Assert.Contains("Exchange:Operations:Address", error.Message, StringComparison.Ordinal);
    }
}
