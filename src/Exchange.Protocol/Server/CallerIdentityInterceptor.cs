using Exchange.Protocol.Identity;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Exchange.Protocol.Server;

/// <summary>
/// First link of the server pipeline: names the caller from its client certificate and refuses the
/// call with <c>UNAUTHENTICATED</c> when the certificate has expired since the handshake, or with
/// the status the status source names when it refuses (revocation, suspension). Runs on every
/// call, so a refusal takes effect on connections that are already open.
/// </summary>
public sealed class CallerIdentityInterceptor : Interceptor
{
    private static readonly object ConnectionItemKey = new();
    private readonly ClientCertificateValidator _validator;
    private readonly CallerStandingGuard _standing;
    private readonly ILogger<CallerIdentityInterceptor> _logger;

    /// <summary>Creates the interceptor.</summary>
    public CallerIdentityInterceptor(ClientCertificateValidator validator, CallerStandingGuard standing, ILogger<CallerIdentityInterceptor> logger)
    {
        _validator = validator;
        _standing = standing;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private async ValueTask AuthenticateAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var certificate = http.Connection.ClientCertificate;
        if (certificate is null)
        {
            // Unreachable through a mutual-TLS endpoint; kept so a mis-wired endpoint fails closed.
            throw Refuse(context, "anonymous", "no client certificate was presented");
        }

        var caller = GetOrValidate(http, certificate, context);
        await _standing.RequireAsync(context, caller).ConfigureAwait(false);
        context.UserState[CallerIdentityExtensions.UserStateKey] = caller;
    }

    // The chain was built at the handshake; it is parsed once per connection, not per call. The
    // connection's items are one dictionary shared by its streams, which a client may open many of
    // at once: it is locked, or concurrent first calls corrupt it.
    private CallerIdentity GetOrValidate(HttpContext http, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, ServerCallContext context)
    {
        var items = http.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null)
        {
            lock (items)
            {
                if (items.TryGetValue(ConnectionItemKey, out var cached) && cached is CallerIdentity known)
                {
                    return known;
                }
            }
        }

        var check = _validator.Validate(certificate);
        if (!check.IsValid)
        {
            throw Refuse(context, certificate.Subject, check.Refusal!);
        }

        var caller = new CallerIdentity(check.Party!, certificate);
        if (items is not null)
        {
            lock (items)
            {
                items[ConnectionItemKey] = caller;
            }
        }

        return caller;
    }

    private RpcException Refuse(ServerCallContext context, string caller, string reason) => CallerStandingGuard.Refuse(_logger, context, caller, reason);
}
