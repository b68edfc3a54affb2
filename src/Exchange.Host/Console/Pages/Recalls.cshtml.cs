using Exchange.Contracts.V1;
using Exchange.Domain.Parties;
using Exchange.Domain.Recalls;

namespace Exchange.Host.Console.Pages;

/// <summary>Recall campaigns and their progress as counts: operators every garage's, garage staff their own (the recall notices).</summary>
internal sealed class RecallsModel(ConsoleCalls calls, RecallCampaigns campaigns) : ConsolePageModel(calls)
{
    public IReadOnlyList<(Campaign Campaign, CampaignProgress Progress)> Campaigns { get; private set; } = [];

    public bool ShowsTotal { get; private set; }

    public async Task OnGetAsync()
    {
        var call = await CallAsync().ConfigureAwait(false);
        ShowsTotal = call.Caller.Role is PartyRole.Administrator or PartyRole.GroupBody;
        var found = new List<(Campaign, CampaignProgress)>();
        foreach (var campaign in await campaigns.ListAsync(HttpContext.RequestAborted).ConfigureAwait(false))
        {
            found.Add((campaign, await campaigns.ProgressAsync(call, campaign.Definition.RecallNumber, HttpContext.RequestAborted).ConfigureAwait(false)));
        }

        Campaigns = found;
    }
}
