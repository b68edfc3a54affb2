using Exchange.Domain;
using Exchange.Domain.Parties;
using Exchange.Protocol.Server;
using Grpc.Core;

namespace Exchange.Host.Calls;

/// <summary>Turns the certificate-authenticated caller into a registered, active party.</summary>
internal sealed class CallContextFactory(IPartyDirectory parties)
{
    public async Task<CallContext> CreateAsync(ServerCallContext context)
    {
        var caller = context.GetCaller();
        var party = await parties.FindAsync(caller.PartyId, context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied, $"party '{caller.PartyId}' is not registered at the hub (rule party.unknown)"));
        if (party.Status != PartyStatus.Active)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"party '{party.Id}' is {party.Status.ToString().ToLowerInvariant()} (rule party.inactive)"));
        }

        return new CallContext(party, "call_" + Guid.CreateVersion7().ToString("N"));
    }
}
