using Exchange.Contracts.V1;

namespace Exchange.Domain.Recalls;

/// <summary>
/// Which vehicles a campaign version covers, normalised once: its chassis ranges, its model codes
/// (a code with a hyphen compared with a vehicle's whole code, one without with its base), and its
/// months of first registration. Storage matches with the same parts in SQL; <see cref="Covers"/>
/// is the same test for one vehicle written later.
/// </summary>
public sealed class CampaignCriteria
{
    private CampaignCriteria(IReadOnlyList<NormalisedRange> ranges, IReadOnlySet<string> fullCodes, IReadOnlySet<string> bases, int? registeredFrom, int? registeredTo)
    {
        Ranges = ranges;
        FullCodes = fullCodes;
        Bases = bases;
        RegisteredFrom = registeredFrom;
        RegisteredTo = registeredTo;
    }

    /// <summary>The chassis ranges.</summary>
    public IReadOnlyList<NormalisedRange> Ranges { get; }

    /// <summary>Model codes compared with a vehicle's whole normalised code.</summary>
    public IReadOnlySet<string> FullCodes { get; }

    /// <summary>Model codes compared with a vehicle's model base.</summary>
    public IReadOnlySet<string> Bases { get; }

    /// <summary>True when the campaign names model codes (otherwise any model in the ranges).</summary>
    public bool FiltersModels => FullCodes.Count + Bases.Count > 0;

    /// <summary>The first month of first registration covered (year * 100 + month), or null.</summary>
    public int? RegisteredFrom { get; }

    /// <summary>The last month of first registration covered, or null.</summary>
    public int? RegisteredTo { get; }

    /// <summary>The criteria of a validated definition.</summary>
    public static CampaignCriteria Of(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var ranges = definition.ChassisRanges.Select(r => new NormalisedRange(VehicleIdentifiers.NormaliseFrame(r.FramePrefix), r.SerialFrom, r.SerialTo)).Distinct().ToList();
        var codes = definition.ModelCodes.Select(VehicleIdentifiers.Normalise).Where(c => c.Length > 0).ToList();
        return new CampaignCriteria(
            ranges,
            codes.Where(c => c.Contains('-', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal),
            codes.Where(c => !c.Contains('-', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal),
            RecallVehicle.MonthOf(definition.FirstRegisteredFrom),
            RecallVehicle.MonthOf(definition.FirstRegisteredTo));
    }

    /// <summary>Whether this campaign version covers <paramref name="vehicle"/>.</summary>
    public bool Covers(RecallVehicle vehicle)
    {
        ArgumentNullException.ThrowIfNull(vehicle);
        return Ranges.Any(r => r.Frame == vehicle.Frame && vehicle.Serial >= r.SerialFrom && vehicle.Serial <= r.SerialTo)
            && (!FiltersModels || FullCodes.Contains(vehicle.ModelCode) || Bases.Contains(vehicle.ModelBase))
            && (RegisteredFrom is null || vehicle.FirstRegistered >= RegisteredFrom)
            && (RegisteredTo is null || vehicle.FirstRegistered <= RegisteredTo);
    }
}
