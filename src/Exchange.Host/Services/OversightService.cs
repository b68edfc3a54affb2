using Exchange.Contracts.V1;
using Exchange.Domain.Oversight;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of the operator's oversight: <see cref="ExceptionalProvisions"/>, <see cref="IncidentScopes"/>, <see cref="RetentionRuns"/>.</summary>
internal sealed class OversightService(ExceptionalProvisions exceptional, IncidentScopes incidents, RetentionRuns retention, CallContextFactory calls, ILogger<OversightService> logger) : Oversight.OversightBase
{
    public override async Task<ExceptionalProvision> RecordExceptionalProvision(RecordExceptionalProvisionRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var provision = await exceptional.RecordAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        OversightLog.ExceptionalRecorded(logger, call.Caller.Id, provision.Id, ExceptionalProvisions.BasisName(provision.LegalBasis), provision.SubjectIds.Count);
        return provision;
    }

    public override async Task<ListExceptionalProvisionsResponse> ListExceptionalProvisions(ListExceptionalProvisionsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (page, next) = await exceptional.ListAsync(call, request.Limit, request.PageToken, context.CancellationToken).ConfigureAwait(false);
        return new ListExceptionalProvisionsResponse { Provisions = { page }, NextPageToken = next };
    }

    public override async Task<IncidentScope> GetIncidentScope(GetIncidentScopeRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (scope, _) = await incidents.ScopeAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        OversightLog.IncidentScopeRead(logger, call.Caller.Id, scope.Party, scope.Persons, scope.ReportRequired);
        return scope;
    }

    public override async Task ListIncidentPersons(GetIncidentScopeRequest request, IServerStreamWriter<IncidentPersons> responseStream, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (scope, affected) = await incidents.ScopeAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        OversightLog.IncidentScopeRead(logger, call.Caller.Id, scope.Party, scope.Persons, scope.ReportRequired);
        foreach (var chunk in affected.Chunk(IncidentScopes.PersonsPerMessage))
        {
            await responseStream.WriteAsync(new IncidentPersons { Persons = { chunk } }, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<RetentionRun> RunRetention(RunRetentionRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var run = await retention.RunAsync(call, request.DryRun, context.CancellationToken).ConfigureAwait(false);
        RetentionService.Ran(logger, run);
        return run;
    }

    public override async Task<ListRetentionRunsResponse> ListRetentionRuns(ListRetentionRunsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return new ListRetentionRunsResponse { Runs = { await retention.ListAsync(call, request.Limit, context.CancellationToken).ConfigureAwait(false) } };
    }
}
