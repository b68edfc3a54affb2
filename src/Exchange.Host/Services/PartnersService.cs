using Exchange.Contracts.V1;
using Exchange.Domain.Parties;
using Exchange.Host.Calls;
using Exchange.Host.Configuration;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="PartnerRegistry"/>.</summary>
internal sealed class PartnersService(PartnerRegistry registry, CallContextFactory calls, RegisteredParties registered, IOptions<HubOptions> options, TimeProvider time, ILogger<PartnersService> logger) : Partners.PartnersBase
{
    private string TrustDomain => options.Value.TrustDomain;

    public override async Task<PartyInfo> AddParty(AddPartyRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var added = await registry.AddAsync(call, new NewParty(request.PartyId, request.Role, request.NameJa, request.NameEn, request.Contact), context.CancellationToken).ConfigureAwait(false);
        PkiLog.PartyAdded(logger, call.Caller.Id, added.Party.Id, added.Party.Role.ToWire());
        // Its role is known at once: a new administrator may use the reserve of calls from its first call.
        registered.Remember(added.Party);
        return added.ToMessage(TrustDomain);
    }

    public override async Task<ListPartiesResponse> ListParties(ListPartiesRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var response = new ListPartiesResponse();
        var found = await registry.ListAsync(call, request.Role, AdminMessages.ToStatus(request.State), context.CancellationToken).ConfigureAwait(false);
        response.Parties.AddRange(found.Select(p => p.ToMessage(TrustDomain)));
        return response;
    }

    public override async Task<PartyInfo> GetParty(GetPartyRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return (await registry.GetAsync(call, request.PartyId, context.CancellationToken).ConfigureAwait(false)).ToMessage(TrustDomain);
    }

    public override Task<PartyInfo> SuspendParty(ChangePartyStateRequest request, ServerCallContext context) =>
        ChangeStateAsync(request, context, registry.SuspendAsync);

    public override Task<PartyInfo> ReactivateParty(ChangePartyStateRequest request, ServerCallContext context) =>
        ChangeStateAsync(request, context, registry.ReactivateAsync);

    public override Task<PartyInfo> WithdrawParty(ChangePartyStateRequest request, ServerCallContext context) =>
        ChangeStateAsync(request, context, registry.WithdrawAsync);

    public override async Task<AuthorisationInfo> GrantAuthorisation(GrantAuthorisationRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var grant = new AuthorisationGrant(request.GarageParty, request.VendorParty, request.Operations, AdminMessages.FromOptional(request.ValidFrom), AdminMessages.FromOptional(request.ValidUntil));
        var recorded = await registry.GrantAsync(call, grant, context.CancellationToken).ConfigureAwait(false);
        var authorisation = recorded.Authorisation;
        PkiLog.AuthorisationGranted(logger, call.Caller.Id, recorded.Id, authorisation.GarageId, authorisation.VendorId, string.Join(",", authorisation.Operations.Order(StringComparer.Ordinal)));
        return recorded.ToMessage(time.GetUtcNow());
    }

    public override async Task<ListAuthorisationsResponse> ListAuthorisations(ListAuthorisationsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var found = await registry.ListAuthorisationsAsync(call, request.GarageParty, request.VendorParty, request.IncludeEnded, context.CancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var response = new ListAuthorisationsResponse();
        response.Authorisations.AddRange(found.Select(a => a.ToMessage(now)));
        return response;
    }

    public override async Task<AuthorisationInfo> RevokeAuthorisation(RevokeAuthorisationRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var revoked = await registry.RevokeAuthorisationAsync(call, request.AuthorisationId, context.CancellationToken).ConfigureAwait(false);
        PkiLog.AuthorisationRevoked(logger, call.Caller.Id, revoked.Id, revoked.Authorisation.GarageId, revoked.Authorisation.VendorId);
        return revoked.ToMessage(time.GetUtcNow());
    }

    private async Task<PartyInfo> ChangeStateAsync(ChangePartyStateRequest request, ServerCallContext context, Func<Domain.CallContext, string, string?, CancellationToken, Task<PartyDetails>> change)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var changed = await change(call, request.PartyId, request.Reason, context.CancellationToken).ConfigureAwait(false);
        PkiLog.PartyStateChanged(logger, call.Caller.Id, changed.Party.Id, changed.Party.Status.ToString().ToLowerInvariant());
        return changed.ToMessage(TrustDomain);
    }
}
