namespace Exchange.Domain.Records;

/// <summary>
/// Rounds every number a statistics answer releases, so that answers resist differencing
/// (docs/statistics.md). Counts (persons, vehicles, suppressed and total persons) are rounded to the
/// nearest multiple of k, billed amounts to the nearest multiple of
/// <see cref="StatisticsSettings.BilledRoundingYen"/> (halves up).
/// <para>
/// Why this is sound against differencing: rounding is deterministic (the same query over the same
/// records gets the same answer, so repeating a query averages nothing away) and many-to-one. The
/// API's queries (a dimension, optionally one garage's customers, under the declaration in force)
/// all release only rounded numbers, so no exact sum ever leaves the hub. Take any two permitted
/// answers whose true values differ by exactly one person's amount v: <c>r1 = R(s + v)</c> and
/// <c>r2 = R(s)</c>. Even a caller who knew <c>s</c> (every other person's amount) exactly learns
/// from <c>r1</c> only the interval of width B that <c>s + v</c> lies in, so v stays hidden within
/// a band of width B; without that knowledge, <c>r1 - r2</c> is a multiple of B and only bounds v
/// to within B either side. The same holds for a query repeated after one record changed. A group
/// is released only when it holds at least k persons, and a query over fewer than k is refused, as
/// before.
/// </para>
/// <para>
/// Limits: rounding is not differential privacy. A caller who knows the other persons' amounts of
/// several cells holding the same person may intersect their bands and narrow v below B; the API
/// offers at most eight such cells at a time (four dimensions, each over every garage or over the
/// person's garage alone).
/// </para>
/// </summary>
internal static class StatisticsRounding
{
    /// <summary>The groups, suppressed and total persons as released: rounded.</summary>
    public static (IReadOnlyList<StatisticsGroupResult> Groups, long SuppressedPersons, long TotalPersons) Release(
        IReadOnlyList<StatisticsGroupResult> groups, long suppressedPersons, long totalPersons, int k, long billedRoundingYen) =>
        (groups.Select(g => new StatisticsGroupResult(g.Key, Round(g.Persons, k), Round(g.Vehicles, k), Round(g.BilledAmountYen, billedRoundingYen))).ToList(),
         Round(suppressedPersons, k),
         Round(totalPersons, k));

    /// <summary><paramref name="value"/> (not negative) rounded to the nearest multiple of <paramref name="granularity"/>, halves up (down where up would overflow).</summary>
    public static long Round(long value, long granularity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(granularity);
        var remainder = value % granularity;
        var down = value - remainder;
        // At the very top of the range, rounding up would overflow: round down there.
        return remainder >= granularity - remainder && down <= long.MaxValue - granularity ? down + granularity : down;
    }
}
