using Exchange.Contracts.V1;

namespace Exchange.Domain.Recalls;

/// <summary>The bounds of a campaign definition, checked before anything is stored.</summary>
internal static class CampaignValidation
{
    public const int MaxRecallNumber = 32;
    public const int MaxRanges = 100;
    public const int MaxModelCodes = 100;
    private const int MaxManufacturer = 200;
    private const int MaxModelCode = 32;
    private const int MaxText = 4000;

    // Serials have at most twelve digits (VehicleIdentifiers).
    private const long MaxSerial = 999_999_999_999;

    /// <summary>Refuses a recall number that is empty, longer than 32 characters or not printable.</summary>
    public static void RequireRecallNumber(string? value, string field = "recall_number")
    {
        var problem = string.IsNullOrEmpty(value) ? "is required"
            : value.Length > MaxRecallNumber ? $"is longer than {MaxRecallNumber} characters"
            : value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? "holds white space or a control character"
            : Identifiers.TextProblem(value);
        if (problem is not null)
        {
            throw Invalid($"{field} {Identifiers.Quote(value)} {problem}");
        }
    }

    public static void Validate(CampaignDefinition? definition)
    {
        if (definition is null)
        {
            throw Invalid("campaign is required");
        }

        RequireRecallNumber(definition.RecallNumber, "campaign.recall_number");
        RequireText(definition.Manufacturer, "campaign.manufacturer", MaxManufacturer, required: true);
        RequireText(definition.DescriptionJa, "campaign.description_ja", MaxText, required: true);
        RequireText(definition.DescriptionEn, "campaign.description_en", MaxText, required: false);
        RequireText(definition.RemedyJa, "campaign.remedy_ja", MaxText, required: false);
        RequireText(definition.RemedyEn, "campaign.remedy_en", MaxText, required: false);
        if (definition.ModelCodes.Count > MaxModelCodes)
        {
            throw Invalid($"campaign.model_codes holds {definition.ModelCodes.Count} codes; at most {MaxModelCodes}");
        }

        for (var i = 0; i < definition.ModelCodes.Count; i++)
        {
            var code = definition.ModelCodes[i];
            var normalised = VehicleIdentifiers.Normalise(code);
            if (normalised.Length is 0 or > MaxModelCode || !normalised.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                throw Invalid($"campaign.model_codes[{i}] {Identifiers.Quote(code)} is not a model code: 1 to {MaxModelCode} letters, digits and hyphens");
            }
        }

        if (definition.ChassisRanges.Count is 0 or > MaxRanges)
        {
            throw Invalid($"campaign.chassis_ranges holds {definition.ChassisRanges.Count} ranges; 1 to {MaxRanges}");
        }

        for (var i = 0; i < definition.ChassisRanges.Count; i++)
        {
            var range = definition.ChassisRanges[i];
            if (VehicleIdentifiers.NormaliseFrame(range.FramePrefix).Length == 0)
            {
                throw Invalid($"campaign.chassis_ranges[{i}].frame_prefix {Identifiers.Quote(range.FramePrefix)} is not a frame part: 1 to 32 letters, digits and hyphens");
            }

            if (range.SerialFrom < 0 || range.SerialTo > MaxSerial || range.SerialFrom > range.SerialTo)
            {
                throw Invalid($"campaign.chassis_ranges[{i}] runs from {range.SerialFrom} to {range.SerialTo}; serials run from 0 to {MaxSerial}, serial_from at most serial_to");
            }
        }

        var from = RequireMonth(definition.FirstRegisteredFrom, "campaign.first_registered_from");
        var to = RequireMonth(definition.FirstRegisteredTo, "campaign.first_registered_to");
        if (from > to)
        {
            throw Invalid("campaign.first_registered_from is after campaign.first_registered_to");
        }

        if (!RecallDates.IsValid(definition.StartsOn))
        {
            throw Invalid("campaign.starts_on must be a valid date (year, month and day)");
        }
    }

    public static ExchangeException Invalid(string problem) => new(FailureKind.InvalidArgument, problem);

    private static int? RequireMonth(Date? date, string field) =>
        date is null ? null
        : date is { Year: >= 1900 and <= 9999, Month: >= 1 and <= 12, Day: >= 0 and <= 31 } ? RecallVehicle.MonthOf(date)
        : throw Invalid($"{field} must name a month (year 1900 to 9999, month 1 to 12; the day is ignored)");

    private static void RequireText(string value, string field, int max, bool required)
    {
        var problem = value.Length == 0 ? required ? "is required" : null
            : value.Length > max ? $"is longer than {max} characters"
            : Identifiers.TextProblem(value);
        if (problem is not null)
        {
            throw Invalid($"{field} {problem}");
        }
    }
}
