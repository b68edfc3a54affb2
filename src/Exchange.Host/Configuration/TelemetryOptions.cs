namespace Exchange.Host.Configuration;

/// <summary>The <c>Exchange:Telemetry</c> settings: metrics, traces and log format (docs/operations.md).</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Exchange:Telemetry";

    /// <summary>False turns OpenTelemetry off: no meters are read, no spans made, nothing exported.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Spans for each call through policy and storage; on by itself when an OTLP endpoint is configured.</summary>
    public bool Traces { get; set; }

    /// <summary>One JSON object a line on the console, with scopes, trace and span IDs, instead of plain text.</summary>
    public bool JsonConsole { get; set; }

    /// <summary>Where metrics, traces and logs are sent over OTLP; empty: the standard OTEL_EXPORTER_OTLP_ENDPOINT, else nowhere.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How often the sampled figures (chain length, checkpoint age, certificates expiring, health) are read, 1 second to 1 hour.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(30);
}
