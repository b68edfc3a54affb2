using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Exchange.Protocol.Server;

/// <summary>How many calls the server runs at once, over all connections: one per server.</summary>
public sealed class CallConcurrencyLimit : IDisposable
{
    /// <summary>The meter of the limit.</summary>
    public const string MeterName = "Exchange.Protocol.Calls";

    /// <summary>Counter of the calls refused because the limit was reached.</summary>
    public const string Refused = "exchange.calls.refused";

    private readonly Meter _meter;
    private readonly Counter<long> _refused;
    private int _inFlight;
    private long _lastWarned;

    /// <summary>Creates the limit; <paramref name="maxConcurrentCalls"/> must be positive.</summary>
    public CallConcurrencyLimit(int maxConcurrentCalls, IMeterFactory? meters = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrentCalls);
        MaxConcurrentCalls = maxConcurrentCalls;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _refused = _meter.CreateCounter<long>(Refused, "{call}", "Calls refused with RESOURCE_EXHAUSTED because the hub was running its limit of calls at once.");
        _meter.CreateObservableGauge("exchange.calls.in_flight", () => Volatile.Read(ref _inFlight), "{call}", "Calls the hub is running now, streams included.");
    }

    /// <summary>The most calls run at once.</summary>
    public int MaxConcurrentCalls { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    internal bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= MaxConcurrentCalls)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        _refused.Add(1);
        return false;
    }

    internal void Exit() => Interlocked.Decrement(ref _inFlight);

    // At most one warning each 10 s while calls are refused: an overload refuses thousands a second.
    internal bool ShouldWarn()
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarned);
        return (last == 0 || Stopwatch.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(10)) && Interlocked.CompareExchange(ref _lastWarned, now, last) == last;
    }
}

/// <summary>
/// Refuses a call at once with RESOURCE_EXHAUSTED while the server already runs its
/// <see cref="CallConcurrencyLimit"/> of calls, streams included. An overloaded hub that admits
/// every call serves fewer (measured: thousands of reads in flight were served at less than half the
/// rate of 128), and makes every caller wait; refused at once, a caller can back off and retry.
/// Health checks are never refused, so that a busy hub is not taken for a dead one.
/// </summary>
public sealed class ConcurrencyLimitInterceptor(CallConcurrencyLimit limit, ILogger<ConcurrencyLimitInterceptor> logger) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var admitted = Enter(context);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        finally
        {
            Exit(admitted);
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var admitted = Enter(context);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        finally
        {
            Exit(admitted);
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var admitted = Enter(context);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        finally
        {
            Exit(admitted);
        }
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var admitted = Enter(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        finally
        {
            Exit(admitted);
        }
    }

    // False for a call that is not counted (a health check); throws for one refused.
    private bool Enter(ServerCallContext context)
    {
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal))
        {
            return false;
        }

        if (limit.TryEnter())
        {
            return true;
        }

        if (limit.ShouldWarn())
        {
            ProtocolLog.CallsRefusedAtLimit(logger, limit.MaxConcurrentCalls);
        }

        throw new RpcException(new Status(StatusCode.ResourceExhausted, $"the hub is running its limit of {limit.MaxConcurrentCalls} calls at once; retry after a short backoff"));
    }

    private void Exit(bool admitted)
    {
        if (admitted)
        {
            limit.Exit();
        }
    }
}
