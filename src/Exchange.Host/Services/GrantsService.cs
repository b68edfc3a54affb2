using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Items;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Host.Calls;
using Grpc.Core;
using DomainGrant = Exchange.Domain.Policy.Grant;
using WireGrant = Exchange.Contracts.V1.Grant;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="GrantRegistry"/>: administers grants (administrators only).</summary>
internal sealed class GrantsService(GrantRegistry grants, CallContextFactory calls) : Grants.GrantsBase
{
    public override async Task<ListGrantsResponse> ListGrants(ListGrantsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var response = new ListGrantsResponse();
        response.Grants.AddRange((await grants.ListAsync(call, context.CancellationToken).ConfigureAwait(false)).Select(ToWire));
        return response;
    }

    public override async Task<WireGrant> SetGrant(WireGrant request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        call.RequireAdministrator();
        var (kind, subject) = Subject(request.SubjectCase == WireGrant.SubjectOneofCase.Role, request.Role, request.PartyId);
        if (!Identifiers.IsPurpose(request.Purpose))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"purpose {Identifiers.Quote(request.Purpose)} is not a purpose ID"));
        }

        if (!ItemCatalog.CustomerRecords.TryExpand(request.Items, out var items, out var unknown) || items.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, unknown is null ? "items must name at least one item" : $"{Identifiers.Quote(unknown)} is neither an item nor an item group"));
        }

        return ToWire(await grants.SetAsync(call, new DomainGrant(kind, subject, request.Purpose, items), context.CancellationToken).ConfigureAwait(false));
    }

    public override async Task<RemoveGrantResponse> RemoveGrant(RemoveGrantRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        call.RequireAdministrator();
        var (kind, subject) = Subject(request.SubjectCase == RemoveGrantRequest.SubjectOneofCase.Role, request.Role, request.PartyId);
        return new RemoveGrantResponse { Removed = await grants.RemoveAsync(call, kind, subject, request.Purpose, context.CancellationToken).ConfigureAwait(false) };
    }

    private static (GrantSubjectKind Kind, string Subject) Subject(bool isRole, string role, string partyId)
    {
        if (isRole)
        {
            return PartyRoles.TryParse(role, out var parsed) && parsed != PartyRole.Administrator
                ? (GrantSubjectKind.Role, role)
                : throw new RpcException(new Status(StatusCode.InvalidArgument, $"role {Identifiers.Quote(role)} must be member-garage, group-body or vendor"));
        }

        return Identifiers.IsPartyId(partyId)
            ? (GrantSubjectKind.Party, partyId)
            : throw new RpcException(new Status(StatusCode.InvalidArgument, "a grant names a role or a party_id (1-64 of a-z, 0-9, '.', '-', '_')"));
    }

    private static WireGrant ToWire(DomainGrant grant)
    {
        var wire = new WireGrant { Purpose = grant.Purpose };
        if (grant.Kind == GrantSubjectKind.Role)
        {
            wire.Role = grant.Subject;
        }
        else
        {
            wire.PartyId = grant.Subject;
        }

        wire.Items.AddRange(grant.Items.Order(StringComparer.Ordinal));
        return wire;
    }
}
