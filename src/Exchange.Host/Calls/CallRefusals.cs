using System.Diagnostics.Metrics;
using Exchange.Domain.Policy;
using Grpc.Core;

namespace Exchange.Host.Calls;

/// <summary>
/// Refusals of calls that are the caller's fault (a request that cannot be parsed or holds text the
/// hub refuses) and failures of the hub's storage: counted on the meter <see cref="MeterName"/>, and
/// logged as warnings at most <see cref="LogsPerMinute"/> a minute, so that a caller sending garbage
/// cannot flood the log.
/// </summary>
internal sealed partial class CallRefusals : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Exchange.Host.Calls";

    /// <summary>Requests refused as malformed, tagged with the gRPC method.</summary>
    public const string MalformedCounter = "exchange.calls.malformed";

    /// <summary>Calls failed because storage could not serve them, tagged with the status given.</summary>
    public const string StorageFailureCounter = "exchange.calls.storage_failed";

    /// <summary>The most warnings logged a minute, for both kinds together.</summary>
    public const int LogsPerMinute = 20;

    private readonly Meter _meter;
    private readonly Counter<long> _malformed;
    private readonly Counter<long> _storage;
    private readonly LogBudget _logs = new(LogsPerMinute);
    private readonly ILogger<CallRefusals> _logger;

    public CallRefusals(ILogger<CallRefusals> logger, IMeterFactory? meters = null)
    {
        _logger = logger;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _malformed = _meter.CreateCounter<long>(MalformedCounter, description: "Requests refused with INVALID_ARGUMENT before any service ran: not parseable, or holding text the hub refuses.");
        _storage = _meter.CreateCounter<long>(StorageFailureCounter, description: "Calls that failed because the database could not serve them (full, unavailable).");
    }

    /// <summary>Counts and (rate-bounded) logs a malformed request; returns the status to throw.</summary>
    public RpcException Malformed(string method, string problem)
    {
        _malformed.Add(1, new KeyValuePair<string, object?>("rpc.method", method));
        if (_logs.MayLog(out var suppressed))
        {
            MalformedRequest(_logger, method, problem, suppressed);
        }

        return new RpcException(new Status(StatusCode.InvalidArgument, $"{problem} (rule {PolicyRules.RequestMalformed})"), new Metadata { { "exchange-rule", PolicyRules.RequestMalformed } });
    }

    /// <summary>Counts and (rate-bounded) logs a storage failure turned into <paramref name="status"/>.</summary>
    public void StorageFailed(string method, StatusCode status, Exception exception)
    {
        _storage.Add(1, new KeyValuePair<string, object?>("rpc.grpc.status_code", (int)status));
        if (_logs.MayLog(out var suppressed))
        {
            StorageFailure(_logger, method, status, exception.Message, suppressed);
        }
    }

    public void Dispose()
    {
        _logs.Dispose();
        _meter.Dispose();
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Refused a malformed request to {Method} with INVALID_ARGUMENT: {Problem} ({Suppressed} such warnings suppressed before this one)")]
    private static partial void MalformedRequest(ILogger logger, string method, string problem, long suppressed);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "A call to {Method} failed with {Status} because storage could not serve it: {Reason} ({Suppressed} such warnings suppressed before this one)")]
    private static partial void StorageFailure(ILogger logger, string method, StatusCode status, string reason, long suppressed);
}
