using Exchange.Contracts.V1;
using Exchange.Domain.Records;
using Exchange.Host.Calls;
using Exchange.Host.Telemetry;
using Exchange.Protocol.Server;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="CustomerRecords"/>.</summary>
internal sealed class RecordsService(CustomerRecords records, RecordSync sync, CallContextFactory calls, CallerStandingGuard standing, HubMetrics metrics) : Records.RecordsBase
{
    public override async Task<PutCustomerResponse> PutCustomer(PutCustomerRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var result = await records.PutAsync(call, request.Purpose, request.Record ?? new CustomerRecord(), context.CancellationToken).ConfigureAwait(false);
        return new PutCustomerResponse { SubjectId = result.SubjectId, DeclarationVersion = result.DeclarationVersion, Created = result.Created };
    }

    public override async Task<PutCustomersResponse> PutCustomers(PutCustomersRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var results = await records.PutManyAsync(call, request.Purpose, request.Records, context.CancellationToken).ConfigureAwait(false);
        var response = new PutCustomersResponse { DeclarationVersion = results[0].DeclarationVersion };
        response.Results.AddRange(results.Select((r, i) => new PutCustomerResult { CustomerRef = request.Records[i].CustomerRef, SubjectId = r.SubjectId, Created = r.Created }));
        return response;
    }

    public override async Task<GetCustomerResponse> GetCustomer(GetCustomerRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (provided, version) = await records.GetAsync(call, request.Purpose, request.OwnerParty, request.CustomerRef, request.Items, context.CancellationToken).ConfigureAwait(false);
        var response = new GetCustomerResponse { Record = provided.Record, DeclarationVersion = version };
        response.Items.AddRange(provided.Items);
        return response;
    }

    public override async Task SearchCustomers(SearchCustomersRequest request, IServerStreamWriter<SearchCustomersResponse> responseStream, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var filter = new CustomerFilter(NullIfEmpty(request.OwnerParty), request.ModelCodes, NullIfEmpty(request.Prefecture), request.Limit);
        var found = await records.SearchAsync(call, request.Purpose, request.Items, filter, NullIfEmpty(request.PageToken), context.CancellationToken).ConfigureAwait(false);
        await foreach (var result in found.ConfigureAwait(false))
        {
            var message = new SearchCustomersResponse { Record = result.Provided?.Record, NextPageToken = result.NextPageToken ?? "" };
            message.Items.AddRange(result.Provided?.Items ?? []);
            if (!await responseStream.TryWriteAsync(message, context).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    public override async Task<DeleteCustomerResponse> DeleteCustomer(DeleteCustomerRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var result = await records.DeleteAsync(call, request.Purpose, request.Customer ?? new CustomerKey(), context.CancellationToken).ConfigureAwait(false);
        return new DeleteCustomerResponse { SubjectId = result.SubjectId, DeclarationVersion = result.DeclarationVersion };
    }

    public override async Task Sync(IAsyncStreamReader<SyncRequest> requestStream, IServerStreamWriter<SyncResponse> responseStream, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        using var open = metrics.SyncOpened();
        try
        {
            await SyncPump.RunAsync(sync, call, standing, requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (ResponseStreams.CallerWentAway(e, context))
        {
            // A group committing meanwhile either committed, to be acknowledged on resume, or rolled back.
        }
    }

    public override async Task<StatisticsResponse> QueryStatistics(StatisticsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var result = await records.StatisticsAsync(call, request.Purpose, request.GroupBy, NullIfEmpty(request.OwnerParty), context.CancellationToken).ConfigureAwait(false);
        var response = new StatisticsResponse { SuppressedPersons = result.SuppressedPersons, TotalPersons = result.TotalPersons, K = result.K, DeclarationVersion = result.DeclarationVersion };
        response.Groups.AddRange(result.Groups.Select(g => new StatisticsGroup { Key = g.Key, Persons = g.Persons, Vehicles = g.Vehicles, BilledAmountYen = g.BilledAmountYen }));
        return response;
    }

    public override async Task<SetOptOutResponse> SetOptOut(SetOptOutRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var subject = await records.SetOptOutAsync(call, request.OwnerParty, request.CustomerRef, request.Purpose, request.OptedOut, context.CancellationToken).ConfigureAwait(false);
        return new SetOptOutResponse { SubjectId = subject };
    }

    public override async Task<GetOptOutsResponse> GetOptOuts(GetOptOutsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (subject, optOuts) = await records.OptOutsAsync(call, request.OwnerParty, request.CustomerRef, context.CancellationToken).ConfigureAwait(false);
        var response = new GetOptOutsResponse { SubjectId = subject };
        response.OptOuts.AddRange(optOuts.Select(o => new OptOut { Purpose = o.Purpose, Since = Timestamp.FromDateTimeOffset(o.Since) }));
        return response;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
