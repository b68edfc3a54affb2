namespace Exchange.Domain.Records;

/// <summary>Aggregation rules.</summary>
public sealed class StatisticsSettings
{
    /// <summary>The smallest number of persons an aggregate may describe. Default 10.</summary>
    public int K { get; set; } = 10;
}
