using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="DeclarationRegistry"/>: reading is open to every party, publishing to administrators.</summary>
internal sealed class DeclarationsService(DeclarationRegistry registry, CallContextFactory calls, TimeProvider time) : Declarations.DeclarationsBase
{
    public override async Task<DeclarationVersion> GetInForce(GetInForceRequest request, ServerCallContext context)
    {
        var at = request.At is null ? time.GetUtcNow() : request.At.ToDateTimeOffset();
        return (await registry.InForceAsync(at, context.CancellationToken).ConfigureAwait(false)).ToMessage();
    }

    public override async Task<ListVersionsResponse> ListVersions(ListVersionsRequest request, ServerCallContext context)
    {
        var response = new ListVersionsResponse();
        response.Versions.AddRange((await registry.ListAsync(context.CancellationToken).ConfigureAwait(false)).Select(v => v.ToMessage()));
        return response;
    }

    public override async Task<DeclarationVersion> Publish(PublishRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        call.RequireAdministrator();
        if (request.Content is null || request.EffectiveAt is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "content and effective_at are required"));
        }

        return (await registry.PublishAsync(call, request.Content, request.EffectiveAt.ToDateTimeOffset(), context.CancellationToken).ConfigureAwait(false)).ToMessage();
    }
}
