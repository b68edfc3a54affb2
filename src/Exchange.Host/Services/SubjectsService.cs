using Exchange.Contracts.V1;
using Exchange.Domain.Subjects;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="SubjectRequests"/> and <see cref="SubjectDisclosures"/>.</summary>
internal sealed class SubjectsService(SubjectRequests requests, SubjectDisclosures disclosures, CallContextFactory calls, ILogger<SubjectsService> logger) : Subjects.SubjectsBase
{
    public override async Task<SubjectRequest> OpenRequest(OpenRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var opened = await requests.OpenAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        SubjectsLog.Opened(logger, call.Caller.Id, SubjectRequests.KindName(opened.Kind), opened.Id);
        return opened;
    }

    public override async Task<SubjectRequest> RecordVerification(RecordVerificationRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await requests.RecordVerificationAsync(call, request.RequestId, request.Verification, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<SubjectRequest> ExecuteRequest(ExecuteRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var executed = await requests.ExecuteAsync(call, request.RequestId, context.CancellationToken).ConfigureAwait(false);
        SubjectsLog.Executed(logger, call.Caller.Id, executed.Id, executed.Propagations.Count);
        return executed;
    }

    public override async Task<SubjectRequest> RefuseRequest(RefuseRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await requests.RefuseAsync(call, request.RequestId, request.Ground, request.Reason, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<SubjectRequest> GetRequest(GetRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await requests.GetAsync(call, request.RequestId, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<ListRequestsResponse> ListRequests(ListRequestsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (found, next) = await requests.ListAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        var response = new ListRequestsResponse { NextPageToken = next };
        response.Requests.AddRange(found);
        return response;
    }

    public override async Task<HeldData> GetHeldData(GetHeldDataRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await disclosures.GetHeldDataAsync(call, request.RequestId, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<ProvisionReport> GetProvisionReport(GetProvisionReportRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await disclosures.GetProvisionReportAsync(call, request.RequestId, request.OmitDocument, request.WithProofs, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<Propagation> AcknowledgePropagation(AcknowledgePropagationRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await requests.AcknowledgeAsync(call, request, context.CancellationToken).ConfigureAwait(false);
    }
}
