using System.Diagnostics.Metrics;
using System.Net;
using Exchange.Domain.Provisions;
using Exchange.Domain.Telemetry;
using Exchange.Host.Calls;
using Exchange.Host.Configuration;
using Exchange.Protocol.Server;
using Exchange.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Exchange.Host.Telemetry;

/// <summary>
/// Wires OpenTelemetry the way the .NET service templates do: the hub's meters and trace sources,
/// ASP.NET Core and Npgsql instrumentation, OTLP when an endpoint is configured, a Prometheus
/// scrape endpoint on the operations port; and the JSON console when asked for (docs/operations.md).
/// </summary>
internal static class HubTelemetry
{
    /// <summary>The service name resources carry.</summary>
    public const string ServiceName = "exchange-hub";

    /// <summary>The standard variable (or configuration key) naming the OTLP endpoint.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // The storage's writer meter is internal to it; its name is part of docs/operations.md.
    private const string ProvisionLogMeter = "Exchange.Storage.ProvisionLog";

    /// <summary>Adds telemetry as <c>Exchange:Telemetry</c> and <c>Exchange:Operations</c> say.</summary>
    public static void AddHubTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.SampleInterval >= TimeSpan.FromSeconds(1) && o.SampleInterval <= TimeSpan.FromHours(1), "Exchange:Telemetry:SampleInterval must be 00:00:01 to 01:00:00.")
            .ValidateOnStart();
        services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.Section)
            .Validate(o => o.Port is null or (>= 0 and <= 65535), "Exchange:Operations:Port must be 0 to 65535 (0 picks a free port; unset: no operations port).")
            .Validate(o => IPAddress.TryParse(o.Address, out _), "Exchange:Operations:Address must be an IP address (e.g. 127.0.0.1, the default, or 0.0.0.0).")
            .ValidateOnStart();

        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (telemetry.JsonConsole)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        // Trace and span IDs in every line's scope: a line's call ID leads to its trace.
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        services.AddSingleton<HubMetrics>();
        services.AddSingleton<DecisionTelemetry>();
        services.AddSingleton<IProvisionObserver>(sp => sp.GetRequiredService<DecisionTelemetry>());
        if (!telemetry.Enabled)
        {
            return;
        }

        services.AddHostedService<HubSampler>();
        services.AddSingleton<IHealthCheckPublisher, HealthMetricsPublisher>();
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = telemetry.SampleInterval;
        });

        var operations = builder.Configuration.GetSection(OperationsOptions.Section).Get<OperationsOptions>() ?? new OperationsOptions();
        var otlp = OtlpEndpoint(builder.Configuration, telemetry);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: HubApplication.Version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(CallConcurrencyLimit.MeterName, CallRefusals.MeterName, ProvisionLogMeter, HubMetrics.MeterName, "Npgsql")
                    .AddRuntimeInstrumentation();

                // A meter provider listens to meters by name across the process: another hub in it (tests, the
                // bench) has meters of the same names from its own factory, which are not this hub's figures.
                ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) =>
                {
                    var own = sp.GetRequiredService<IMeterFactory>();
                    builder.AddView(instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop : null);
                });
                if (operations.Port is not null)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (telemetry.Traces || otlp is not null)
        {
            otel.WithTracing(tracing => tracing
                .AddSource(DomainActivity.SourceName, StorageActivity.SourceName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = http => !http.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal) && http.Request.Path != OperationsEndpoint.MetricsPath)
                .AddNpgsql());
        }

        if (otlp is not null)
        {
            otel.UseOtlpExporter(OtlpExportProtocol.Grpc, otlp);
        }
    }

    /// <summary>Whether the scrape endpoint is registered (telemetry on and an operations port).</summary>
    public static bool ServesMetrics(IConfiguration configuration) =>
        (configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions()).Enabled
        && configuration.GetSection(OperationsOptions.Section).Get<OperationsOptions>()?.Port is not null;

    /// <summary>Exchange:Telemetry:OtlpEndpoint, else the standard variable, else null.</summary>
    public static Uri? OtlpEndpoint(IConfiguration configuration, TelemetryOptions telemetry) =>
        telemetry.OtlpEndpoint ?? (Uri.TryCreate(configuration[OtlpEndpointVariable], UriKind.Absolute, out var standard) ? standard : null);
}
