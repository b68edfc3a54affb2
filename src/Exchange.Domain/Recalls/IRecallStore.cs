namespace Exchange.Domain.Recalls;

/// <summary>Recall campaigns and their affected vehicles; storage implements it. Writes join the current unit of work.</summary>
public interface IRecallStore
{
    /// <summary>
    /// Stores <paramref name="campaign"/> as the next version: version 1 of a new campaign (false when
    /// the number is taken), or the version after <paramref name="campaign"/>'s previous one (false
    /// when that is no longer the current one). <paramref name="startsOn"/> is its start date (year *
    /// 10000 + month * 100 + day).
    /// </summary>
    Task<bool> AddVersionAsync(PublishedCampaign campaign, CampaignCriteria criteria, int startsOn, CancellationToken cancellationToken);

    /// <summary>The campaign's <paramref name="version"/>, or its current one when 0; null when there is none.</summary>
    Task<PublishedCampaign?> FindAsync(string recallNumber, int version, CancellationToken cancellationToken);

    /// <summary>Every campaign's current version, the newest campaign first.</summary>
    Task<IReadOnlyList<PublishedCampaign>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The vehicles each of <paramref name="recallNumbers"/> affects, over every version.</summary>
    Task<IReadOnlyDictionary<string, long>> AffectedCountsAsync(IReadOnlyCollection<string> recallNumbers, CancellationToken cancellationToken);

    /// <summary>
    /// Matches <paramref name="criteria"/> against every garage's vehicles with indexed range lookups
    /// and stores those the campaign does not affect yet, as matched by <paramref name="version"/> at
    /// <paramref name="at"/>; returns them.
    /// </summary>
    Task<IReadOnlyList<AffectedVehicleState>> MatchAsync(string recallNumber, int version, CampaignCriteria criteria, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The campaigns whose current version has a range covering one of <paramref name="chassis"/>.</summary>
    Task<IReadOnlyList<string>> CoveringAsync(IReadOnlyCollection<(string Frame, long Serial)> chassis, CancellationToken cancellationToken);

    /// <summary>Stores the vehicles their campaign does not affect yet, at <paramref name="at"/>; returns them.</summary>
    Task<IReadOnlyList<AffectedVehicleState>> AddAffectedAsync(IReadOnlyList<NewAffectedVehicle> vehicles, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Appends steps to the affected vehicles' history.</summary>
    Task AppendHistoryAsync(IReadOnlyList<RecallStepRecord> steps, CancellationToken cancellationToken);

    /// <summary>Notes that the notices of <paramref name="vehicleIds"/> were stored in the feed.</summary>
    Task MarkQueuedAsync(IReadOnlyCollection<long> vehicleIds, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The campaigns started on or before <paramref name="today"/> with vehicles whose notice is not stored yet.</summary>
    Task<IReadOnlyList<string>> DueAsync(int today, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> of the campaign's vehicles whose notice is not stored yet.</summary>
    Task<IReadOnlyList<AffectedVehicleState>> UnqueuedAsync(string recallNumber, int count, CancellationToken cancellationToken);

    /// <summary>One affected vehicle, or null when the campaign does not affect it.</summary>
    Task<AffectedVehicleState?> FindVehicleAsync(string recallNumber, string ownerParty, string customerRef, string vehicleRef, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the stored progress of <paramref name="before"/> with <paramref name="after"/>'s,
    /// unless it changed since <paramref name="before"/> was read (then false).
    /// </summary>
    Task<bool> UpdateAsync(AffectedVehicleState before, AffectedVehicleState after, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="count"/> of a garage's vehicles affected by the campaign, in
    /// (customer_ref, vehicle_ref) order after <paramref name="after"/>, at <paramref name="step"/> only when set.
    /// </summary>
    Task<IReadOnlyList<AffectedVehicleState>> PageAsync(string recallNumber, string ownerParty, int? step, (string CustomerRef, string VehicleRef)? after, int count, CancellationToken cancellationToken);

    /// <summary>The affected vehicles by garage and step reached (of one garage when <paramref name="ownerParty"/> is set).</summary>
    Task<IReadOnlyList<RecallStepCount>> CountsAsync(string recallNumber, string? ownerParty, CancellationToken cancellationToken);
}
