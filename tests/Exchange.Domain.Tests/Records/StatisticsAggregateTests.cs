using Exchange.Contracts.V1;
using Exchange.Domain.Records;

namespace Exchange.Domain.Tests.Records;

public sealed class StatisticsAggregateTests
{
    private static CustomerRecord Person(string prefecture, params (string Model, long Billed)[] vehicles)
    {
        var record = new CustomerRecord { OwnerParty = "garage-a", Contact = new CustomerContact { Address = new PostalAddress { Prefecture = prefecture } } };
        for (var i = 0; i < vehicles.Length; i++)
        {
            var vehicleRef = $"v{i}";
            record.Vehicles.Add(new Vehicle { VehicleRef = vehicleRef, InspectionCertificate = new InspectionCertificate { ModelCode = vehicles[i].Model } });
            record.Costs.Add(new CostRecord { CostRef = $"c{i}", VehicleRef = vehicleRef, BilledAmountYen = vehicles[i].Billed });
        }

        return record;
    }

    private static StatisticsAggregate Aggregate(StatisticsDimension groupBy, params CustomerRecord[] records)
    {
        var aggregate = new StatisticsAggregate(groupBy);
        foreach (var record in records)
        {
            aggregate.Add(record);
        }

        return aggregate;
    }

    [Fact]
    public void A_person_counts_once_in_a_group_however_many_of_their_vehicles_fall_in_it()
    {
        var aggregate = Aggregate(StatisticsDimension.ModelCode, Person("山形県", ("A", 100), ("A", 50)), Person("山形県", ("A", 10)));

        var (groups, suppressed) = aggregate.Result(k: 2);

        Assert.Equal(new StatisticsGroupResult("A", 2, 3, 160), Assert.Single(groups));
        Assert.Equal((0L, 2L), (suppressed, aggregate.Persons));
    }

    [Fact]
    public void Only_persons_in_no_kept_group_are_suppressed_and_persons_without_vehicles_are_not()
    {
        var aggregate = Aggregate(
            StatisticsDimension.ModelCode,
            Person("山形県", ("A", 1)),
            Person("山形県", ("A", 1), ("RARE", 1)),
            Person("山形県", ("RARE2", 1)),
            Person("山形県", ("RARE2", 1), ("RARE3", 1)),
            Person("山形県"));

        var (groups, suppressed) = aggregate.Result(k: 2);

        Assert.Equal(["A", "RARE2"], groups.Select(g => g.Key));
        Assert.Equal(0, suppressed);
        Assert.Equal((0, 4L), (aggregate.Result(k: 3).Groups.Count, aggregate.Result(k: 3).SuppressedPersons));
        Assert.Equal(5, aggregate.Persons);
    }

    [Fact]
    public void Group_keys_cannot_run_together_into_another_persons_groups()
    {
        // Joined without their lengths, {"A", "B"} and {"AB"} would be one set of groups.
        var aggregate = Aggregate(StatisticsDimension.ModelCode, Person("山形県", ("A", 1), ("B", 1)), Person("山形県", ("A", 1)), Person("山形県", ("AB", 1)));

        var (groups, suppressed) = aggregate.Result(k: 2);

        Assert.Equal(["A"], groups.Select(g => g.Key));
        Assert.Equal(1, suppressed);
    }

    [Fact]
    public void By_prefecture_each_person_has_one_group_with_all_their_vehicles_and_costs()
    {
        var aggregate = Aggregate(StatisticsDimension.Prefecture, Person("山形県", ("A", 100), ("B", 50)), Person("山形県"), Person("", ("A", 7)));

        var (groups, suppressed) = aggregate.Result(k: 1);

        Assert.Equal([new StatisticsGroupResult("(unknown)", 1, 1, 7), new StatisticsGroupResult("山形県", 2, 2, 150)], groups);
        Assert.Equal(0, suppressed);
    }
}
