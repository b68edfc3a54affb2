using System.Security.Claims;
using System.Text.Json;
using Exchange.Host.Staff;
using Exchange.Protocol.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Exchange.Host.Tokens;

/// <summary>
/// Runs after the caller-identity interceptor. A call MAY carry <c>authorization: Bearer &lt;token&gt;</c>;
/// then the token must be the hub's, unexpired, bound to this connection's client certificate
/// (<c>x5t#S256</c>) and name the certificate's party (or, for a vendor acting for a garage, name the
/// vendor as actor while the garage's authorisation lasts); a staff token's person must be enabled.
/// These are read from the database on every call. Calls without the header are unchanged.
/// </summary>
internal sealed class BearerTokenInterceptor(ILogger<BearerTokenInterceptor> logger) : Interceptor
{
    private const string StaffIdKey = "exchange.staff-id";

    /// <summary>The staff member a valid staff token on this call names, or null.</summary>
    public static string? StaffIdOf(ServerCallContext context) =>
        context.UserState.TryGetValue(StaffIdKey, out var value) ? value as string : null;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private async Task CheckAsync(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null)
        {
            return;
        }

        var caller = context.GetCaller();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.AsSpan(7).Trim().IsEmpty)
        {
            throw Refuse(context, caller.PartyId, StatusCode.Unauthenticated, "is missing: the authorization header must read 'Bearer <token>'");
        }

        var http = context.GetHttpContext();
        var result = await http.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var description = (result.Properties?.Items.TryGetValue(".error_description", out var text) == true ? text : null) ?? "could not be read";
            throw Refuse(context, caller.PartyId, StatusCode.Unauthenticated, $"is not valid: {description}");
        }

        var token = result.Principal;
        if (token.GetClaim("cnf") is null)
        {
            throw Refuse(context, caller.PartyId, StatusCode.Unauthenticated, "is not bound to a client certificate");
        }

        // Resolved only for a call that carries a token: calls without one open no stores.
        var standing = http.RequestServices.GetRequiredService<TokenStanding>();
        var (code, reason) = await RefusalAsync(standing, token, caller.PartyId, context.CancellationToken).ConfigureAwait(false);
        if (reason is not null)
        {
            throw Refuse(context, caller.PartyId, code, reason);
        }

        if (token.GetClaim(StaffClaims.StaffId) is { } staffId)
        {
            context.UserState[StaffIdKey] = staffId;
        }
    }

    private static async Task<(StatusCode, string?)> RefusalAsync(TokenStanding standing, ClaimsPrincipal token, string callerParty, CancellationToken cancellationToken)
    {
        var party = token.GetClaim(StaffClaims.Party) ?? "";
        if (token.GetClaim(TokenClaims.Actor) is { } actor)
        {
            var vendor = ActorOf(actor);
            if (!string.Equals(vendor, callerParty, StringComparison.Ordinal))
            {
                return (StatusCode.PermissionDenied, $"names '{vendor}' as the actor for '{party}', not the caller '{callerParty}'");
            }

            return (StatusCode.PermissionDenied, await standing.VendorRefusalAsync(party, vendor, cancellationToken).ConfigureAwait(false) is { } withdrawn ? $"acting for '{party}' no longer holds: {withdrawn}" : null);
        }

        if (!string.Equals(party, callerParty, StringComparison.Ordinal))
        {
            return (StatusCode.PermissionDenied, $"was issued to party '{party}', not to the caller '{callerParty}'");
        }

        if (token.GetClaim(StaffClaims.StaffId) is { } staffId)
        {
            var (_, refusal) = await standing.StaffAsync(staffId, callerParty, cancellationToken).ConfigureAwait(false);
            return (StatusCode.PermissionDenied, refusal is null ? null : $"names a person who may not act: {refusal}");
        }

        return (StatusCode.OK, null);
    }

    private static string ActorOf(string actor)
    {
        try
        {
            using var document = JsonDocument.Parse(actor);
            return document.RootElement.TryGetProperty(Claims.Subject, out var subject) && subject.ValueKind == JsonValueKind.String ? subject.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private RpcException Refuse(ServerCallContext context, string caller, StatusCode code, string reason)
    {
        TokenLog.BearerRefused(logger, context.Method, caller, code.ToString(), reason);
        return new RpcException(new Status(code, $"bearer token refused: the token {reason}"));
    }
}
