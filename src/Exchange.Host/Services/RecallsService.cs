using Exchange.Contracts.V1;
using Exchange.Domain.Recalls;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="RecallCampaigns"/>.</summary>
internal sealed class RecallsService(RecallCampaigns campaigns, CallContextFactory calls, ILogger<RecallsService> logger) : Recalls.RecallsBase
{
    public override async Task<CampaignChange> CreateCampaign(CreateCampaignRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var change = await campaigns.CreateAsync(call, request.Campaign, context.CancellationToken).ConfigureAwait(false);
        RecallLog.Published(logger, call.Caller.Id, change.Campaign.Definition.RecallNumber, change.Campaign.Version, change.NewlyAffected);
        return change;
    }

    public override async Task<CampaignChange> ReviseCampaign(ReviseCampaignRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var change = await campaigns.ReviseAsync(call, request.Campaign, request.ExpectedVersion, context.CancellationToken).ConfigureAwait(false);
        RecallLog.Published(logger, call.Caller.Id, change.Campaign.Definition.RecallNumber, change.Campaign.Version, change.NewlyAffected);
        return change;
    }

    public override async Task<ListCampaignsResponse> ListCampaigns(ListCampaignsRequest request, ServerCallContext context)
    {
        await calls.CreateAsync(context).ConfigureAwait(false);
        var response = new ListCampaignsResponse();
        response.Campaigns.AddRange(await campaigns.ListAsync(context.CancellationToken).ConfigureAwait(false));
        return response;
    }

    public override async Task<Campaign> GetCampaign(GetCampaignRequest request, ServerCallContext context)
    {
        await calls.CreateAsync(context).ConfigureAwait(false);
        return await campaigns.GetAsync(request.RecallNumber, request.Version, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<CampaignProgress> GetProgress(GetProgressRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await campaigns.ProgressAsync(call, request.RecallNumber, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<ListAffectedVehiclesResponse> ListAffectedVehicles(ListAffectedVehiclesRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var (vehicles, next) = await campaigns.ListAffectedAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        var response = new ListAffectedVehiclesResponse { NextPageToken = next };
        response.Vehicles.AddRange(vehicles);
        return response;
    }

    public override async Task<AffectedVehicle> AcknowledgeNotice(AcknowledgeNoticeRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await campaigns.AcknowledgeAsync(call, request.RecallNumber, request.Vehicle, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<AffectedVehicle> RecordContact(RecordContactRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await campaigns.RecordContactAsync(call, request.RecallNumber, request.Vehicle, request.ContactedOn, request.Method, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<AffectedVehicle> MarkRepaired(MarkRepairedRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        return await campaigns.MarkRepairedAsync(call, request.RecallNumber, request.Vehicle, request.RepairedOn, context.CancellationToken).ConfigureAwait(false);
    }
}
