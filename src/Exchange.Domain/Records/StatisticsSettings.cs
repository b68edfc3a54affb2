namespace Exchange.Domain.Records;

/// <summary>Aggregation rules: the smallest group, and the granularity every released number is rounded to (see <see cref="StatisticsRounding"/>).</summary>
public sealed class StatisticsSettings
{
    /// <summary>
    /// The smallest number of persons an aggregate may describe, and the granularity released
    /// counts (persons, vehicles) are rounded to. Default 10.
    /// </summary>
    public int K { get; set; } = 10;

    /// <summary>
    /// The granularity, in yen, released billed amounts are rounded to: what one person's billed
    /// amount stays hidden within when two answers are subtracted. Default ¥100,000.
    /// </summary>
    public long BilledRoundingYen { get; set; } = 100_000;
}
