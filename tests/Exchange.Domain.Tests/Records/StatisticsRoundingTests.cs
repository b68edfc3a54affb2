using Exchange.Domain.Records;

namespace Exchange.Domain.Tests.Records;

public sealed class StatisticsRoundingTests
{
    [Theory]
    [InlineData(0, 100_000, 0)]
    [InlineData(49_999, 100_000, 0)]
    [InlineData(50_000, 100_000, 100_000)]
    [InlineData(539_314, 100_000, 500_000)]
    [InlineData(14, 10, 10)]
    [InlineData(15, 10, 20)]
    [InlineData(16_499, 10, 16_500)]
    [InlineData(long.MaxValue, 10, long.MaxValue - 7)]
    [InlineData(7, 3, 6)]
    public void Values_round_to_the_nearest_multiple_and_halves_up(long value, long granularity, long expected) =>
        Assert.Equal(expected, StatisticsRounding.Round(value, granularity));

    [Fact]
    public void Release_rounds_counts_to_k_and_billed_amounts_to_their_granularity()
    {
        var (groups, suppressed, total) = StatisticsRounding.Release([new StatisticsGroupResult("山形県", 12, 13, 648_000)], 4, 16, k: 10, billedRoundingYen: 100_000);

        Assert.Equal(new StatisticsGroupResult("山形県", 10, 10, 600_000), Assert.Single(groups));
        Assert.Equal((0L, 20L), (suppressed, total));
    }
}
