using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Host.Calls;
using Exchange.Host.Telemetry;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="ProvisionLogAudit"/>.</summary>
internal sealed class ProvisionLogService(ProvisionLogAudit audit, ProvisionTree tree, CallContextFactory calls, HubMetrics metrics) : ProvisionLog.ProvisionLogBase
{
    public override async Task<Contracts.V1.TreeCheckpoint> GetTreeCheckpoint(GetTreeCheckpointRequest request, ServerCallContext context)
    {
        await calls.CreateAsync(context).ConfigureAwait(false);
        return ToMessage(await tree.CosignedAsync(request.TreeSize, context.CancellationToken).ConfigureAwait(false));
    }

    public override async Task<Contracts.V1.TreeCheckpoint> AddCosignature(AddCosignatureRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return ToMessage(await tree.AddCosignatureAsync(call.Caller.Id, request.TreeSize, request.Cosignature, context.CancellationToken).ConfigureAwait(false));
    }

    private Contracts.V1.TreeCheckpoint ToMessage(CosignedCheckpoint cosigned)
    {
        var checkpoint = cosigned.Checkpoint;
        var message = new Contracts.V1.TreeCheckpoint
        {
            TreeSize = checkpoint.Size,
            RootHash = ByteString.CopyFrom(checkpoint.RootHash),
            Note = cosigned.Note,
            VerifierKey = tree.VerifierKey,
            SignedAt = Timestamp.FromDateTimeOffset(checkpoint.SignedAt),
            Quorum = cosigned.Policy.Quorum,
            QuorumMet = cosigned.QuorumMet,
        };
        message.Cosignatures.AddRange(cosigned.Cosignatures.Select(c => new WitnessCosignature
        {
            Witness = c.Witness,
            VerifierKey = cosigned.Policy.Find(c.Witness)!.VerifierKey,
            Time = Timestamp.FromDateTimeOffset(c.Time),
            Line = c.Line,
        }));
        return message;
    }

    public override async Task<Contracts.V1.InclusionProof> ProveInclusion(ProveInclusionRequest request, ServerCallContext context)
    {
        await calls.CreateAsync(context).ConfigureAwait(false);
        var proof = await tree.ProveInclusionAsync(request.Sequence, request.TreeSize, context.CancellationToken).ConfigureAwait(false);
        var message = new Contracts.V1.InclusionProof { Sequence = proof.Sequence, TreeSize = proof.TreeSize, EntryHash = proof.EntryHash, LeafHash = ByteString.CopyFrom(proof.LeafHash) };
        message.Hashes.AddRange(proof.Hashes.Select(ByteString.CopyFrom));
        return message;
    }

    public override async Task<Contracts.V1.ConsistencyProof> ProveConsistency(ProveConsistencyRequest request, ServerCallContext context)
    {
        await calls.CreateAsync(context).ConfigureAwait(false);
        var proof = await tree.ProveConsistencyAsync(request.FirstSize, request.SecondSize, context.CancellationToken).ConfigureAwait(false);
        var message = new Contracts.V1.ConsistencyProof { FirstSize = proof.FirstSize, SecondSize = proof.SecondSize };
        message.Hashes.AddRange(proof.Hashes.Select(ByteString.CopyFrom));
        return message;
    }

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
        metrics.Verified(result.Intact);
        return ToMessage(result);
    }

    public override async Task VerifyFull(VerifyFullRequest request, IServerStreamWriter<VerifyFullResponse> responseStream, ServerCallContext context)
    {
        (await calls.CreateAsync(context).ConfigureAwait(false)).RequireAdministrator();
        await foreach (var report in audit.WalkAsync(request.ResumeToken, request.ProgressEveryEntries, context.CancellationToken).ConfigureAwait(false))
        {
            if (report.Result is { } result)
            {
                metrics.Verified(result.Intact);
            }

            var message = report.Progress is { } p
                ? new VerifyFullResponse { Progress = new VerifyProgress { EntriesChecked = p.EntriesChecked, ThroughSequence = p.ThroughSequence, HeadSequence = p.HeadSequence, EntriesPerSecond = p.EntriesPerSecond, ResumeToken = p.ResumeToken } }
                : new VerifyFullResponse { Result = ToMessage(report.Result!) };
            if (!await responseStream.TryWriteAsync(message, context).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private static VerifyResponse ToMessage(ChainVerification result) => new()
    {
        Intact = result.Intact,
        EntriesChecked = result.EntriesChecked,
        CheckpointsChecked = result.CheckpointsChecked,
        FirstBrokenSequence = result.FirstBrokenSequence,
        Problem = result.Problem ?? "",
        VouchedThrough = result.VouchedThrough,
        UnvouchedEntries = result.Unvouched,
        FromSequence = result.FromSequence,
        ThroughSequence = result.ThroughSequence,
        Full = result.Full,
        PrefixVerifiedAt = result.PrefixVerifiedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };

    public override async Task<CheckpointResponse> Checkpoint(CheckpointRequest request, ServerCallContext context)
    {
        (await calls.CreateAsync(context).ConfigureAwait(false)).RequireAdministrator();
        var checkpoint = await audit.CheckpointAsync(context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the provision log is empty; there is nothing to sign"));
        return new CheckpointResponse { Sequence = checkpoint.Sequence, EntryHash = checkpoint.EntryHash, Signature = Convert.ToBase64String(checkpoint.Signature) };
    }
}
