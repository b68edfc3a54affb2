using System.Diagnostics;
using System.Collections.Concurrent;
using Exchange.Domain;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Host.Tokens;
using Exchange.Protocol.Server;
using Grpc.Core;

namespace Exchange.Host.Calls;

/// <summary>Turns the certificate-authenticated caller into a registered, active party.</summary>
internal sealed class CallContextFactory(IPartyDirectory parties, RegisteredParties registered)
{
    public async Task<CallContext> CreateAsync(ServerCallContext context)
    {
        var caller = context.GetCaller();
        var staffId = BearerTokenInterceptor.StaffIdOf(context);
        if (registered.Find(caller.PartyId) is { } known)
        {
            return Create(known, staffId);
        }

        var party = await parties.FindAsync(caller.PartyId, context.CancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.PermissionDenied, $"party '{caller.PartyId}' is not registered at the hub (rule {PolicyRules.PartyUnknown})", PolicyRules.PartyUnknown);
        if (party.Status != PartyStatus.Active)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"party '{party.Id}' is {party.Status.ToString().ToLowerInvariant()} (rule {PolicyRules.PartyInactive})", PolicyRules.PartyInactive);
        }

        return Create(registered.Remember(party), staffId);
    }

    private static CallContext Create(Party party, string? staffId)
    {
        var call = new CallContext(party, "call_" + Guid.CreateVersion7().ToString("N")) { StaffId = staffId };
        // The request's span: the provision log's call ID leads to the trace (docs/operations.md).
        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.SetTag("exchange.call_id", call.CallId);
            span.SetTag("exchange.caller", party.Id);
        }

        return call;
    }
}

/// <summary>
/// The role and names of parties seen calling, which never change once registered. Their status
/// is not kept: the caller-identity interceptor reads it from the database on every call and has
/// refused a party that is not active before any service runs.
/// </summary>
internal sealed class RegisteredParties
{
    private readonly ConcurrentDictionary<string, Party> _parties = new(StringComparer.Ordinal);

    public Party? Find(string partyId) => _parties.GetValueOrDefault(partyId);

    public Party Remember(Party party) => _parties[party.Id] = party with { Status = PartyStatus.Active };
}
