using Exchange.Protocol.Identity;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Exchange.Protocol.Server;

/// <summary>
/// Refuses a call at once with RESOURCE_EXHAUSTED while the server already runs its
/// <see cref="CallConcurrencyLimit"/> of calls, streams included, or the calling party runs its own
/// share of it. An overloaded hub that admits every call serves fewer (measured: thousands of reads
/// in flight were served at less than half the rate of 128), and makes every caller wait; refused at
/// once, a caller can back off and retry. Health checks are never refused nor counted, so that a busy
/// hub is not taken for a dead one.
/// </summary>
public sealed class ConcurrencyLimitInterceptor(CallConcurrencyLimit limit, ILogger<ConcurrencyLimitInterceptor> logger) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";
    private static readonly object ConnectionPartyKey = new();

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var admitted = Enter(context);
        return await continuation(request, context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var admitted = Enter(context);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var admitted = Enter(context);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var admitted = Enter(context);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    // Null for a call that is not counted (a health check); throws for one refused.
    private CallLease? Enter(ServerCallContext context)
    {
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal))
        {
            return null;
        }

        var partyId = PartyOf(context);
        var refusal = limit.TryEnter(partyId, out var lease);
        if (refusal is null)
        {
            return lease;
        }

        var limits = limit.Limits;
        if (refusal == CallRefusal.Party)
        {
            if (limit.ShouldWarn(CallRefusal.Party))
            {
                ProtocolLog.CallsRefusedAtPartyLimit(logger, partyId, limits.MaxConcurrentCallsPerParty);
            }

            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"party '{partyId}' is running its limit of {limits.MaxConcurrentCallsPerParty} calls at once; retry after a short backoff"));
        }

        if (limit.ShouldWarn(CallRefusal.Total))
        {
            ProtocolLog.CallsRefusedAtLimit(logger, limits.MaxConcurrentCalls);
        }

        throw new RpcException(new Status(StatusCode.ResourceExhausted, $"the hub is running its limit of {limits.MaxConcurrentCalls} calls at once; retry after a short backoff"));
    }

    // The party ID of the certificate the connection presented, read once per connection. The
    // chain was validated at the handshake; the caller-identity interceptor, which runs after this
    // one, checks the rest (expiry, revocation, standing) and refuses what does not pass. A
    // certificate without a party ID shares the partition "" until then.
    private static string PartyOf(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var items = http.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null)
        {
            lock (items)
            {
                if (items.TryGetValue(ConnectionPartyKey, out var cached) && cached is string known)
                {
                    return known;
                }
            }
        }

        var certificate = http.Connection.ClientCertificate;
        var partyId = certificate is not null && PartySpiffeId.TryFromCertificate(certificate, out var id) ? id.PartyId : "";
        if (items is not null)
        {
            lock (items)
            {
                items[ConnectionPartyKey] = partyId;
            }
        }

        return partyId;
    }
}
