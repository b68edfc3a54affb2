namespace Exchange.Storage.Entities;

#pragma warning disable CA1819 // Byte-array properties are how EF maps BLOB columns.

/// <summary>A recall campaign: its number, its current version and when its notices start (of that version).</summary>
internal sealed class RecallCampaignRow
{
    public long Id { get; set; }
    public required string RecallNumber { get; set; }
    public int CurrentVersion { get; set; }

    // Year * 10000 + month * 100 + day, of the current version.
    public int StartsOn { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One immutable version of a campaign: the encoded <c>CampaignDefinition</c>.</summary>
internal sealed class RecallCampaignVersionRow
{
    public required string RecallNumber { get; set; }
    public int Version { get; set; }
    public required byte[] Definition { get; set; }
    public required string PublishedBy { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>One chassis range of one campaign version, normalised, for the lookup of a vehicle written later.</summary>
internal sealed class RecallRangeRow
{
    public long Id { get; set; }
    public required string RecallNumber { get; set; }
    public int Version { get; set; }
    public required string Frame { get; set; }
    public long SerialFrom { get; set; }
    public long SerialTo { get; set; }
}

/// <summary>A garage's vehicle affected by a campaign, and the progress it reached.</summary>
internal sealed class RecallVehicleRow
{
    public long Id { get; set; }
    public required string RecallNumber { get; set; }
    public required string OwnerParty { get; set; }
    public required string CustomerRef { get; set; }
    public required string VehicleRef { get; set; }
    public required string SubjectId { get; set; }
    public int MatchedByVersion { get; set; }

    // The RecallStep reached; a step implies the earlier ones.
    public int Step { get; set; }
    public DateTimeOffset AffectedAt { get; set; }

    // When its notice was stored in the feed; null while the campaign's start date has not come.
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? NotifiedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }

    // Dates as year * 10000 + month * 100 + day.
    public int? ContactedOn { get; set; }
    public int? ContactMethod { get; set; }
    public int? RepairedOn { get; set; }
    public string? RepairOrderRef { get; set; }
}

/// <summary>One step of one affected vehicle: who recorded it, when, in which call, with what.</summary>
internal sealed class RecallHistoryRow
{
    public long Id { get; set; }
    public long RecallVehicleId { get; set; }
    public int Step { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public string? CallId { get; set; }
    public string? Details { get; set; }
}
