using System.Globalization;
using System.Text;
using Exchange.Contracts.V1;

namespace Exchange.Domain.Records;

/// <summary>
/// Aggregates records one at a time, holding only a total per group and a count per distinct set of
/// groups a person falls in, never the records: statistics run over every record of the association.
/// Each record is one person (its subject ID is derived from the owner and the customer reference).
/// </summary>
internal sealed class StatisticsAggregate(StatisticsDimension groupBy)
{
    private readonly Dictionary<string, (long Persons, long Vehicles, long Billed)> _groups = new(StringComparer.Ordinal);

    // Persons per distinct set of the groups they fall in, so that after the groups below k are
    // known, the persons left out entirely can be counted.
    private readonly Dictionary<string, (string[] Keys, long Persons)> _groupSets = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _personKeys = new(StringComparer.Ordinal);

    /// <summary>The persons added.</summary>
    public long Persons { get; private set; }

    /// <summary>Adds one person's record.</summary>
    public void Add(CustomerRecord record)
    {
        Persons++;
        _personKeys.Clear();
        foreach (var (key, vehicles, billed) in Keys(record, groupBy))
        {
            var group = _groups.GetValueOrDefault(key);
            _groups[key] = (group.Persons + (_personKeys.Add(key) ? 1 : 0), group.Vehicles + vehicles, group.Billed + billed);
        }

        if (_personKeys.Count == 0)
        {
            return;
        }

        // Length-prefixed, so that keys holding any character cannot run together.
        var signature = new StringBuilder();
        foreach (var key in _personKeys)
        {
            signature.Append(key.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(key);
        }

        var name = signature.ToString();
        _groupSets[name] = _groupSets.TryGetValue(name, out var set) ? (set.Keys, set.Persons + 1) : ([.. _personKeys], 1);
    }

    /// <summary>The groups of at least <paramref name="k"/> persons, in key order, and the persons in none of them.</summary>
    public (IReadOnlyList<StatisticsGroupResult> Groups, long SuppressedPersons) Result(int k)
    {
        var kept = _groups.Where(g => g.Value.Persons >= k)
            .Select(g => new StatisticsGroupResult(g.Key, g.Value.Persons, g.Value.Vehicles, g.Value.Billed))
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var keptKeys = kept.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var suppressed = _groupSets.Values.Where(s => !s.Keys.Any(keptKeys.Contains)).Sum(s => s.Persons);
        return (kept, suppressed);
    }

    private static IEnumerable<(string Key, long Vehicles, long Billed)> Keys(CustomerRecord record, StatisticsDimension groupBy)
    {
        long BilledFor(string? vehicleRef) => record.Costs.Where(c => vehicleRef is null || c.VehicleRef == vehicleRef).Sum(c => c.BilledAmountYen);
        switch (groupBy)
        {
            case StatisticsDimension.ModelCode:
            case StatisticsDimension.FirstRegistrationYear:
                foreach (var vehicle in record.Vehicles)
                {
                    var certificate = vehicle.InspectionCertificate;
                    var key = groupBy == StatisticsDimension.ModelCode
                        ? certificate?.ModelCode
                        : certificate?.FirstRegistration?.Year.ToString(CultureInfo.InvariantCulture);
                    yield return (string.IsNullOrEmpty(key) ? "(unknown)" : key, 1, BilledFor(vehicle.VehicleRef));
                }

                break;
            case StatisticsDimension.Prefecture:
                var prefecture = record.Contact?.Address?.Prefecture;
                yield return (string.IsNullOrEmpty(prefecture) ? "(unknown)" : prefecture, record.Vehicles.Count, BilledFor(null));
                break;
            default:
                yield return (record.OwnerParty, record.Vehicles.Count, BilledFor(null));
                break;
        }
    }
}
