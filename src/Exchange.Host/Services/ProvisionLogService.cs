using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="ProvisionLogAudit"/>.</summary>
internal sealed class ProvisionLogService(ProvisionLogAudit audit, CallContextFactory calls) : ProvisionLog.ProvisionLogBase
{
    public override async Task<ListEntriesResponse> ListForCustomer(ListForCustomerRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var response = new ListEntriesResponse();
        response.Entries.AddRange((await audit.ListForCustomerAsync(call, request.OwnerParty, request.CustomerRef, context.CancellationToken).ConfigureAwait(false)).Select(e => e.ToMessage()));
        return response;
    }

    public override async Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context)
    {
        (await calls.CreateAsync(context).ConfigureAwait(false)).RequireAdministrator();
        var result = await audit.VerifyAsync(context.CancellationToken).ConfigureAwait(false);
        return new VerifyResponse { Intact = result.Intact, EntriesChecked = result.EntriesChecked, CheckpointsChecked = result.CheckpointsChecked, FirstBrokenSequence = result.FirstBrokenSequence, Problem = result.Problem ?? "", VouchedThrough = result.VouchedThrough, UnvouchedEntries = result.Unvouched };
    }

    public override async Task<CheckpointResponse> Checkpoint(CheckpointRequest request, ServerCallContext context)
    {
        (await calls.CreateAsync(context).ConfigureAwait(false)).RequireAdministrator();
        var checkpoint = await audit.CheckpointAsync(context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the provision log is empty; there is nothing to sign"));
        return new CheckpointResponse { Sequence = checkpoint.Sequence, EntryHash = checkpoint.EntryHash, Signature = Convert.ToBase64String(checkpoint.Signature) };
    }
}
