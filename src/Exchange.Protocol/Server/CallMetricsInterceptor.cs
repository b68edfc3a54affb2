using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Exchange.Protocol.Server;

/// <summary>
/// Records every call's duration by service, method and gRPC status on the histogram
/// <see cref="DurationHistogram"/> of the meter <see cref="CallConcurrencyLimit.MeterName"/>, named and
/// tagged as OpenTelemetry's RPC conventions say; its count is the calls. The outermost interceptor,
/// so that calls refused for load or identity are counted with their status too. Only methods the
/// server maps reach an interceptor, so the tags take a bounded set of values.
/// </summary>
public sealed class CallMetricsInterceptor : Interceptor, IDisposable
{
    /// <summary>The histogram of call durations, in seconds.</summary>
    public const string DurationHistogram = "rpc.server.call.duration";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<(string Method, StatusCode Status), KeyValuePair<string, object?>[]> _tags = new();

    /// <summary>Creates the interceptor on the meter from <paramref name="meters"/>.</summary>
    public CallMetricsInterceptor(IMeterFactory? meters = null)
    {
        _meter = meters?.Create(CallConcurrencyLimit.MeterName) ?? new Meter(CallConcurrencyLimit.MeterName);
        _duration = _meter.CreateHistogram<double>(DurationHistogram, "s", "Calls handled, by service, method and gRPC status, and how long each took (streams: until they ended).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600] });
    }

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        MeasureAsync(context, () => continuation(request, context));

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        MeasureAsync(context, () => continuation(requestStream, context));

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        MeasureAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        MeasureAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private async Task<T> MeasureAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().ConfigureAwait(false);
            Record(context, started, context.Status.StatusCode);
            return result;
        }
        catch (Exception e)
        {
            Record(context, started, StatusOf(e, context));
            throw;
        }
    }

    private static StatusCode StatusOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    private void Record(ServerCallContext context, long started, StatusCode status)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = _tags.GetOrAdd((context.Method, status), static key =>
        {
            // "/package.Service/Method"
            var slash = key.Method.LastIndexOf('/');
            return
            [
                new("rpc.system", "grpc"),
                new("rpc.service", key.Method[1..Math.Max(1, slash)]),
                new("rpc.method", key.Method[(slash + 1)..]),
                new("rpc.grpc.status_code", (int)key.Status),
            ];
        });
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
