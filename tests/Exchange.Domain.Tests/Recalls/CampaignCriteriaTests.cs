using Exchange.Contracts.V1;
using Exchange.Domain.Recalls;

namespace Exchange.Domain.Tests.Recalls;

public sealed class CampaignCriteriaTests
{
    [Theory]
    [InlineData("ZVW30-99", false)]
    [InlineData("ZVW30-100", true)]
    [InlineData("ＺＶＷ３０－２００", true)]
    [InlineData("zvw30ー201", false)]
    [InlineData("ZVW31-150", false)]
    public void A_range_covers_its_bounds_and_nothing_beyond_them(string chassis, bool covered)
    {
        var criteria = CampaignCriteria.Of(Definition());

        Assert.Equal(covered, criteria.Covers(Vehicle(chassis, "DAA-ZVW30", 2015, 6)));
    }

    [Theory]
    [InlineData("ZVW30", "DAA-ZVW30", true)]
    [InlineData("ZVW30", "ZVW30", true)]
    [InlineData("DAA-ZVW30", "ＤＡＡ－ＺＶＷ３０", true)]
    [InlineData("DAA-ZVW30", "ZVW30", false)]
    [InlineData("DAA-ZVW30", "DBA-ZVW30", false)]
    [InlineData("ZVW30", "DAA-ZVW35", false)]
    public void A_model_code_with_a_hyphen_is_compared_whole_and_one_without_with_the_vehicles_base(string campaignCode, string vehicleCode, bool covered)
    {
        var definition = Definition();
        definition.ModelCodes.Add(campaignCode);

        Assert.Equal(covered, CampaignCriteria.Of(definition).Covers(Vehicle("ZVW30-150", vehicleCode, 2015, 6)));
    }

    [Theory]
    [InlineData(2015, 3, false)]
    [InlineData(2015, 4, true)]
    [InlineData(2016, 9, true)]
    [InlineData(2016, 10, false)]
    [InlineData(0, 0, false)]
    public void First_registration_is_compared_by_month_and_a_vehicle_without_one_is_not_covered_by_a_range(int year, int month, bool covered)
    {
        var definition = Definition();
        definition.FirstRegisteredFrom = new Date { Year = 2015, Month = 4, Day = 20 };
        definition.FirstRegisteredTo = new Date { Year = 2016, Month = 9 };

        Assert.Equal(covered, CampaignCriteria.Of(definition).Covers(Vehicle("ZVW30-150", "DAA-ZVW30", year, month)));
    }

    private static CampaignDefinition Definition()
    {
        var definition = new CampaignDefinition { RecallNumber = "5432" };
        definition.ChassisRanges.Add(new ChassisRange { FramePrefix = "ＺＶＷ３０", SerialFrom = 100, SerialTo = 200 });
        return definition;
    }

    private static RecallVehicle Vehicle(string chassis, string modelCode, int year, int month) =>
        RecallVehicle.Of(new Vehicle
        {
            VehicleRef = "v1",
            InspectionCertificate = new InspectionCertificate { ChassisNumber = chassis, ModelCode = modelCode, FirstRegistration = year == 0 ? null : new Date { Year = year, Month = month } },
        })!;
}
