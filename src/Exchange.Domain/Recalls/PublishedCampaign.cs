using Exchange.Contracts.V1;

namespace Exchange.Domain.Recalls;

/// <summary>One published version of a campaign.</summary>
/// <param name="Definition">What the version says.</param>
/// <param name="Version">Its number, from 1.</param>
/// <param name="PublishedBy">The party that published it.</param>
/// <param name="PublishedAt">When.</param>
public sealed record PublishedCampaign(CampaignDefinition Definition, int Version, string PublishedBy, DateTimeOffset PublishedAt)
{
    /// <summary>The campaign's key, its recall number.</summary>
    public string RecallNumber => Definition.RecallNumber;
}
