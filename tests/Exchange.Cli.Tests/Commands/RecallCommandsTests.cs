using Exchange.Cli.Commands;
using Exchange.Cli.Tests.Infrastructure;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class RecallCommandsTests : CliScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string GroupBody = "group-lotus";

    [Fact]
    public async Task The_group_body_creates_a_campaign_and_sees_it_listed_with_the_vehicles_it_affects()
    {
        await GarageWritesAsync("1000001", "1000002", "2000000");

        var created = (await CreateAsync("5432", "ZVW30-1000001..ZVW30-1000002")).Expect(0);
        var list = (await RunAsAsync(GroupBody, "recall", "list")).Expect(0);

        Assert.Equal("5432", created.Field("recall number"));
        Assert.Equal("1", created.Field("version"));
        Assert.Equal("2", created.Field("newly affected"));
        Assert.Equal("ZVW30-1000001..ZVW30-1000002", created.Field("ranges"));
        var row = Assert.Single(list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("5432", StringComparison.Ordinal));
        Assert.Equal(["5432", "1", "2026-12-01", "2", "トヨタ自動車株式会社", "DAA-ZVW30"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_revision_adds_the_vehicles_its_wider_range_covers()
    {
        await GarageWritesAsync("3000001", "3000002", "3000003");
        (await CreateAsync("5433", "ZVW30-3000001..ZVW30-3000001")).Expect(0);

        var revised = (await RunAsAsync(GroupBody, [.. Definition("5433", "ZVW30-3000001..ZVW30-3000003", "revise"), "--expected-version", "1"])).Expect(0);
        var stale = await RunAsAsync(GroupBody, [.. Definition("5433", "ZVW30-3000001..ZVW30-3000003", "revise"), "--expected-version", "1"]);

        Assert.Equal("2", revised.Field("version"));
        Assert.Equal("2", revised.Field("newly affected"));
        Assert.Equal("3", revised.Field("affected"));
        stale.Expect(ExitCodes.Conflict);
    }

    [Fact]
    public async Task Status_and_export_give_counts_by_garage_and_in_total_without_personal_data()
    {
        await GarageWritesAsync("4000001", "4000002");
        (await CreateAsync("5434", "ZVW30-4000001..ZVW30-4000009")).Expect(0);
        using (var channel = Hub.Channel(Garage))
        {
            await new Recalls.RecallsClient(channel).RecordContactAsync(
                new RecordContactRequest { RecallNumber = "5434", Vehicle = new VehicleKey { CustomerRef = "4000001", VehicleRef = "v1" }, ContactedOn = new Date { Year = 2026, Month = 12, Day = 3 }, Method = ContactMethod.Letter },
                cancellationToken: Ct);
        }

        var status = (await RunAsAsync(GroupBody, "recall", "status", "5434")).Expect(0);
        (await RunAsAsync(GroupBody, "recall", "export", "5434", "--file", "report.csv")).Expect(0);
        var csv = await File.ReadAllTextAsync(InWorkingDirectory("report.csv"), Ct);

        var garageRow = Assert.Single(status.Out.Split('\n'), l => l.StartsWith(Garage, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["2", "1"], [garageRow[1], garageRow[4]]);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("recall_number,manufacturer,version,garage_party,garage_name,affected,notified,acknowledged,contacted,repaired", lines[0]);
        // A contacted vehicle counts as notified and acknowledged too: each count is of the vehicles that reached that step or a later one.
        Assert.Equal($"5434,トヨタ自動車株式会社,1,{Garage},株式会社上山オート,2,1,1,1,0", lines[1]);
        Assert.Equal("5434,トヨタ自動車株式会社,1,total,,2,1,1,1,0", lines[^1]);
        Assert.DoesNotContain("山田", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("ZVW30-4000001", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_garage_may_not_create_a_campaign()
    {
        var run = (await RunAsAsync(Garage, Definition("5435", "ZVW30-1..ZVW30-9", "create"))).Expect(ExitCodes.Refused);

        Assert.Contains("PERMISSION_DENIED", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ZVW30-1000001")]
    [InlineData("ZVW30-1000009..ZVW30-1000001")]
    [InlineData("ZVW30-1..NHP10-9")]
    [InlineData("1000001..1000009")]
    public async Task A_chassis_range_that_is_not_one_is_refused_before_calling_the_hub(string range)
    {
        var run = (await RunAsync([.. Definition("5436", range, "create"), "--hub", "https://127.0.0.1:1"])).Expect(ExitCodes.Usage);

        Assert.Contains(range, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ZVW30-1000001..ZVW30-1250000", "ZVW30", 1000001, 1250000)]
    [InlineData("ＺＶＷ３０－１０００００１～ＺＶＷ３０－１２５００００", "ZVW30", 1000001, 1250000)]
    [InlineData("NHP10-6-0000001 ~ NHP10-6-0000100", "NHP10-6", 1, 100)]
    public void A_chassis_range_is_read_from_its_two_ends(string text, string frame, long from, long to)
    {
        Assert.True(RecallCommands.TryParseRange(text, out var range, out var error), error);
        Assert.Equal(new ChassisRange { FramePrefix = frame, SerialFrom = from, SerialTo = to }, range);
    }

    [Fact]
    public void The_export_quotes_fields_as_RFC_4180_asks()
    {
        var progress = new CampaignProgress { RecallNumber = "外-3210", Version = 2, Total = new ProgressCounts { Affected = 1 } };
        progress.Garages.Add(new GarageProgress { GarageParty = "garage-a", GarageNameJa = "株式会社\"A\",本店", Counts = new ProgressCounts { Affected = 1 } });

        var csv = RecallCommands.ProgressCsv(progress, new Campaign { Definition = new CampaignDefinition { Manufacturer = "Maker, Inc." } });

        Assert.Equal(
            "recall_number,manufacturer,version,garage_party,garage_name,affected,notified,acknowledged,contacted,repaired\r\n" +
            "外-3210,\"Maker, Inc.\",2,garage-a,\"株式会社\"\"A\"\",本店\",1,0,0,0,0\r\n" +
            "外-3210,\"Maker, Inc.\",2,total,,1,0,0,0,0\r\n",
            csv);
    }

    private static string[] Definition(string number, string range, string verb) =>
    [
        "recall", verb, number,
        "--manufacturer", "トヨタ自動車株式会社",
        "--model", "DAA-ZVW30",
        "--range", range,
        "--description-ja", "ブレーキの不具合",
        "--remedy-ja", "部品を交換します",
        "--starts-on", "2026-12-01",
    ];

    private Task<CliRun> CreateAsync(string number, string range) => RunAsAsync(GroupBody, Definition(number, range, "create"));

    // Each customer ref is also its vehicle's serial: Sample gives chassis ZVW30-<ref>.
    private async Task GarageWritesAsync(params string[] refs)
    {
        using var channel = Hub.Channel(Garage);
        var records = new Records.RecordsClient(channel);
        var request = new PutCustomersRequest { Purpose = "after-sales" };
        request.Records.AddRange(refs.Select(r => Sample.Customer(r)));
        await records.PutCustomersAsync(request, cancellationToken: Ct);
    }
}
