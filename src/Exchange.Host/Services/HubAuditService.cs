using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="HubAuditTrail"/>.</summary>
internal sealed class HubAuditService(HubAuditTrail trail, CallContextFactory calls) : HubAudit.HubAuditBase
{
    public override async Task<ListAuditEventsResponse> ListEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var query = new AuditQuery(NullIfEmpty(request.Subject), NullIfEmpty(request.ActionPrefix), request.Limit, request.BeforeSequence);
        var response = new ListAuditEventsResponse();
        response.Events.AddRange((await trail.ListAsync(call, query, context.CancellationToken).ConfigureAwait(false)).Select(e => e.ToMessage()));
        return response;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
