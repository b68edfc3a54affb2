namespace Exchange.Host.Telemetry;

/// <summary>Log events of calls' decisions and of telemetry; event IDs 2400-2419 are stable.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Call {CallId} by {Caller}: {Count} {Outcome} for purpose {Purpose}")]
    public static partial void Decided(ILogger logger, string callId, string caller, int count, string outcome, string purpose);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "Call {CallId} by {Caller} refused by rule {Rule} for purpose {Purpose} ({Count} entries; {Dropped} refusals by this rule not logged since the last one logged)")]
    public static partial void Refused(ILogger logger, string callId, string caller, string rule, string purpose, int count, long dropped);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "Reading the sampled figures failed ({Kind}: {Reason}); the gauges keep their last values until the next sample")]
    public static partial void SampleFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Information, Message = "Operations port on {Address}: /healthz/live, /healthz/ready and /metrics over plain HTTP, no client certificate")]
    public static partial void OperationsListening(ILogger logger, string address);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Information, Message = "Exporting metrics, traces and logs over OTLP to {Endpoint}")]
    public static partial void ExportingOtlp(ILogger logger, string endpoint);
}
