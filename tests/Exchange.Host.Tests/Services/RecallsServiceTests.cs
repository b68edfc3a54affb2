using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Grpc.Core;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Recalls over real mTLS on each provider: a campaign reaches exactly the garages owning matching
/// vehicles, through their change feeds, with exactly the items their recall grant allows, and each
/// vehicle's progress is counted as the garages report it.
/// </summary>
public abstract class RecallsServiceTests(DatabaseProvider provider) : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";
    private const string Broadleaf = "vendor-broadleaf";

    private static readonly string[] NoticeItems = ["contact.address", "contact.email", "contact.name", "contact.phone", "vehicle.inspection_certificate"];

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(provider: provider);

    [Fact]
    public async Task Campaign_reaches_exactly_the_garages_owning_matching_vehicles_and_counts_progress_to_repair()
    {
        var kaminoyama = Channel(Garage);
        var other = await NewGarageChannelAsync("garage-recall-b");
        var unaffected = await NewGarageChannelAsync("garage-recall-c");
        var subjects = new Dictionary<string, string>
        {
            ["K1"] = await PutAsync(kaminoyama, "K1", "ZVW30-1000005", second: "NHP10-1000005"),
            ["K2"] = await PutAsync(kaminoyama, "K2", "ZVW30-1000006"),
            ["B1"] = await PutAsync(other, "B1", "ＺＶＷ３０－１０００１００"),
        };
        await PutAsync(kaminoyama, "K3", "ZVW30-2000000");
        await PutAsync(kaminoyama, "K5", "ZVW30-1000007", model: "DBA-NHP10");
        await PutAsync(unaffected, "C1", "NHP10-1000005", model: "DAA-NHP10");
        await new Records.RecordsClient(kaminoyama).SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "K2", Purpose = "marketing", OptedOut = true }, cancellationToken: Ct);

        CampaignChange change = null!;
        var definition = Definition("5432", Range("ZVW30", 1_000_000, 1_999_999));
        definition.ModelCodes.Add("ZVW30");
        var (created, audit) = await Hub.TracesDuringAsync(async () => change = await Recalls(Lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct));

        Assert.Equal((1, 3L, 3L, Lotus), (change.Campaign.Version, change.NewlyAffected, change.Campaign.Affected, change.Campaign.PublishedBy));
        Assert.Empty(created);
        var published = Assert.Single(audit);
        Assert.Equal((Lotus, HubAuditActions.RecallCampaignCreated, "recall/5432"), (published.Actor, published.Action, published.Subject));

        List<RecallNotice> own = [], others = [];
        long seen = 0;
        var delivered = await Hub.EntriesDuringAsync(async () =>
        {
            (own, seen) = await NoticesAsync(kaminoyama, 0, 2);
            (others, _) = await NoticesAsync(other, 0, 1);
            Assert.Empty((await NoticesAsync(unaffected, 0, 0)).Notices);
        });

        Assert.Equal(["K1", "K2"], own.Select(n => n.Vehicle.CustomerRef).Order());
        Assert.Equal("B1", Assert.Single(others).Vehicle.CustomerRef);
        foreach (var notice in own.Concat(others))
        {
            Assert.Equal(("5432", "トヨタ自動車株式会社", 1, ""), (notice.Campaign.Definition.RecallNumber, notice.Campaign.Definition.Manufacturer, notice.Campaign.Version, notice.WithheldRule));
            Assert.Equal(NoticeItems, notice.Items);
            var record = notice.Record;
            Assert.Equal($"山田 太郎 {notice.Vehicle.CustomerRef}", record.Contact.Name);
            Assert.Equal(("023-672-0000", "上山市", "ヤマダ タロウ"), (record.Contact.Phone, record.Contact.Address.Locality, record.Contact.NameKana));
            Assert.Null(record.Contact.BirthDate);
            var vehicle = Assert.Single(record.Vehicles);
            Assert.Equal(("v1", 0L), (vehicle.VehicleRef, vehicle.MileageKm));
            Assert.NotEmpty(vehicle.InspectionCertificate.ChassisNumber);
            Assert.Empty(record.Repairs);
            Assert.Empty(record.Costs);
            Assert.Equal(subjects[notice.Vehicle.CustomerRef], notice.SubjectId);
        }

        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, e => Assert.Equal((ProvisionOutcome.Provided, "recall", e.Provider), (e.Outcome, e.Purpose, e.Recipient)));
        Assert.Equal(subjects.Values.Order(), delivered.Select(e => e.SubjectId).Order());

        // A vehicle written after the campaign started is matched on arrival and notified.
        subjects["K4"] = await PutAsync(kaminoyama, "K4", "zvw30ー1000008");
        var late = Assert.Single((await NoticesAsync(kaminoyama, seen, 1)).Notices);
        Assert.Equal(("K4", subjects["K4"]), (late.Vehicle.CustomerRef, late.SubjectId));

        var garageRecalls = Recalls(Garage);
        await garageRecalls.AcknowledgeNoticeAsync(new AcknowledgeNoticeRequest { RecallNumber = "5432", Vehicle = Key("K1") }, cancellationToken: Ct);
        await garageRecalls.RecordContactAsync(new RecordContactRequest { RecallNumber = "5432", Vehicle = Key("K1"), ContactedOn = Day(2027, 1, 12), Method = ContactMethod.Phone }, cancellationToken: Ct);
        var order = new RepairOrder { OrderRef = "r-recall", VehicleRef = "v1", RecallNumber = "5432" };
        order.Work.Add(new WorkItem { PerformedOn = Day(2027, 1, 20), Description = "リコール作業" });
        await PutAsync(kaminoyama, "K2", "ZVW30-1000006", order: order);
        await Recalls(other).MarkRepairedAsync(new MarkRepairedRequest { RecallNumber = "5432", Vehicle = new VehicleKey { CustomerRef = "B1", VehicleRef = "v1" }, RepairedOn = Day(2027, 1, 15) }, cancellationToken: Ct);

        var progress = await Recalls(Lotus).GetProgressAsync(new GetProgressRequest { RecallNumber = "5432" }, cancellationToken: Ct);
        Assert.Equal(Counts(4, 4, 3, 3, 2), progress.Total);
        Assert.Equal([(Garage, Counts(3, 3, 2, 2, 1)), ("garage-recall-b", Counts(1, 1, 1, 1, 1))], progress.Garages.Select(g => (g.GarageParty, g.Counts)));
        var ownProgress = await garageRecalls.GetProgressAsync(new GetProgressRequest { RecallNumber = "5432" }, cancellationToken: Ct);
        Assert.Equal(Counts(4, 4, 3, 3, 2), ownProgress.Total);
        Assert.Equal([Garage], ownProgress.Garages.Select(g => g.GarageParty));

        var vehicles = (await garageRecalls.ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = "5432" }, cancellationToken: Ct)).Vehicles;
        Assert.Equal(["K1", "K2", "K4"], vehicles.Select(v => v.Vehicle.CustomerRef));
        Assert.Equal((RecallStep.Contacted, ContactMethod.Phone, Day(2027, 1, 12)), (vehicles[0].Step, vehicles[0].ContactMethod, vehicles[0].ContactedOn));
        Assert.NotNull(vehicles[0].AcknowledgedAt);
        Assert.Equal((RecallStep.Repaired, "r-recall", Day(2027, 1, 20)), (vehicles[1].Step, vehicles[1].RepairOrderRef, vehicles[1].RepairedOn));
        Assert.Equal(RecallStep.Notified, vehicles[2].Step);

        var recallEntries = (await Hub.ReadAllAsync()).Select(e => e.Fact).Where(f => f.Purpose == "recall").ToList();
        Assert.Equal(4, recallEntries.Count);
        Assert.Equal(subjects.Values.Order(), recallEntries.Select(e => e.SubjectId).Order());
    }

    [Fact]
    public async Task Chassis_ranges_are_matched_at_their_bounds_whatever_the_width_dash_or_case_a_number_is_written_in()
    {
        var garage = Channel(Garage);
        await PutAsync(garage, "E099", "ZVW30-0000099");
        await PutAsync(garage, "E100", "ＺＶＷ３０－０００００１００");
        await PutAsync(garage, "E150", "zvw30ー150");
        await PutAsync(garage, "E200", "ZVW30‐200");
        await PutAsync(garage, "E201", "ZVW30 - 201");
        await PutAsync(garage, "E-OTHER", "ZVW31-150");

        Assert.Equal(3, (await Recalls(Lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = Definition("H-100", Range("ZVW30", 100, 200)) }, cancellationToken: Ct)).NewlyAffected);
        var fullWidth = Definition("F-150", Range("ＺＶＷ３０－", 150, 150));
        fullWidth.ModelCodes.Add("ｄａａ－ｚｖｗ３０");
        Assert.Equal(1, (await Recalls(Lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = fullWidth }, cancellationToken: Ct)).NewlyAffected);

        // Written after the campaigns: matched on arrival with the same bounds.
        await PutAsync(garage, "L099", "ＺＶＷ３０－９９");
        await PutAsync(garage, "L100", "ZVW30-100");
        await PutAsync(garage, "L200", "ｚｖｗ３０－２００");
        await PutAsync(garage, "L201", "ZVW30-201");
        await PutAsync(garage, "L150", "ZVW30―150", model: "ＤＡＡ－ＺＶＷ３０");

        Assert.Equal(["E100", "E150", "E200", "L100", "L150", "L200"], await AffectedRefsAsync(Recalls(Garage), "H-100"));
        Assert.Equal(["E150", "L150"], await AffectedRefsAsync(Recalls(Garage), "F-150"));
    }

    [Fact]
    public async Task Revision_that_widens_adds_exactly_the_new_vehicles_and_one_that_narrows_keeps_earlier_notices_and_progress()
    {
        var garage = Channel(Garage);
        foreach (var serial in new[] { 110, 140, 180 })
        {
            await PutAsync(garage, $"W{serial}", $"ZVW30-{serial}");
        }

        var recalls = Recalls(Lotus);
        Assert.Equal(2, (await recalls.CreateCampaignAsync(new CreateCampaignRequest { Campaign = Definition("7001", Range("ZVW30", 100, 150)) }, cancellationToken: Ct)).NewlyAffected);
        await Recalls(Garage).AcknowledgeNoticeAsync(new AcknowledgeNoticeRequest { RecallNumber = "7001", Vehicle = Key("W110") }, cancellationToken: Ct);

        var widened = await recalls.ReviseCampaignAsync(new ReviseCampaignRequest { Campaign = Definition("7001", Range("ZVW30", 100, 200)), ExpectedVersion = 1 }, cancellationToken: Ct);
        Assert.Equal((2, 1L, 3L), (widened.Campaign.Version, widened.NewlyAffected, widened.Campaign.Affected));
        var stale = await Assert.ThrowsAsync<RpcException>(() => recalls.ReviseCampaignAsync(new ReviseCampaignRequest { Campaign = Definition("7001", Range("ZVW30", 100, 300)), ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
        var narrowed = await recalls.ReviseCampaignAsync(new ReviseCampaignRequest { Campaign = Definition("7001", Range("ZVW30", 100, 120)), ExpectedVersion = 2 }, cancellationToken: Ct);
        Assert.Equal((3, 0L, 3L), (narrowed.Campaign.Version, narrowed.NewlyAffected, narrowed.Campaign.Affected));

        // After narrowing, a vehicle written later is matched by the current version only.
        await PutAsync(garage, "W190", "ZVW30-190");
        await PutAsync(garage, "W115", "ZVW30-115");

        var vehicles = (await Recalls(Garage).ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = "7001" }, cancellationToken: Ct)).Vehicles;
        Assert.Equal([("W110", 1, RecallStep.Acknowledged), ("W115", 3, RecallStep.Affected), ("W140", 1, RecallStep.Affected), ("W180", 2, RecallStep.Affected)],
            vehicles.Select(v => (v.Vehicle.CustomerRef, v.MatchedByVersion, v.Step)));
        var (notices, _) = await NoticesAsync(garage, 0, 4);
        Assert.Equal([("W110", 1), ("W115", 3), ("W140", 1), ("W180", 2)], notices.Select(n => (n.Vehicle.CustomerRef, n.Campaign.Version)).Order());
        Assert.Equal(100, (await recalls.GetCampaignAsync(new GetCampaignRequest { RecallNumber = "7001", Version = 1 }, cancellationToken: Ct)).Definition.ChassisRanges[0].SerialFrom);
        Assert.Equal(150, (await recalls.GetCampaignAsync(new GetCampaignRequest { RecallNumber = "7001", Version = 1 }, cancellationToken: Ct)).Definition.ChassisRanges[0].SerialTo);
        Assert.Equal((3, 4L), ((await Recalls(Garage).ListCampaignsAsync(new ListCampaignsRequest(), cancellationToken: Ct)).Campaigns.Single() is var c ? (c.Version, c.Affected) : default));
    }

    [Fact]
    public async Task Only_the_group_body_or_an_administrator_publishes_and_only_the_owning_garage_or_its_vendor_handles_its_vehicles()
    {
        await PutAsync(Channel(Garage), "P1", "ZVW30-500");
        var definition = Definition("8001", Range("ZVW30", 500, 500));
        // The group body gets counts: owners' contact data for recall only under a grant an administrator sets.
        using var search = new Records.RecordsClient(Channel(Lotus)).SearchCustomers(new SearchCustomersRequest { Purpose = "recall", Items = { "contact" }, ModelCodes = { "DAA-ZVW30" } }, cancellationToken: Ct);
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(() => search.ResponseStream.MoveNext(Ct)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(() => Recalls(Garage).CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(() => Recalls(Broadleaf).CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct).ResponseAsync));
        await Recalls("admin").CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct);
        Assert.Equal(StatusCode.AlreadyExists, await StatusOfAsync(() => Recalls(Lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, await StatusOfAsync(() => Recalls(Lotus).ReviseCampaignAsync(new ReviseCampaignRequest { Campaign = Definition("8002", Range("ZVW30", 1, 2)), ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync));

        var list = new ListAffectedVehiclesRequest { RecallNumber = "8001", OwnerParty = Garage };
        foreach (var party in new[] { Lotus, "admin", Broadleaf })
        {
            Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(() => Recalls(party).ListAffectedVehiclesAsync(list, cancellationToken: Ct).ResponseAsync));
        }

        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(() => Recalls(Lotus).AcknowledgeNoticeAsync(new AcknowledgeNoticeRequest { RecallNumber = "8001", Vehicle = Key("P1", Garage) }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, await StatusOfAsync(() => Recalls(Garage).AcknowledgeNoticeAsync(new AcknowledgeNoticeRequest { RecallNumber = "8001", Vehicle = Key("P2") }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, await StatusOfAsync(() => Recalls(Garage).AcknowledgeNoticeAsync(new AcknowledgeNoticeRequest { RecallNumber = "9999", Vehicle = Key("P1") }, cancellationToken: Ct).ResponseAsync));

        // A vendor reads with the garage's read authorisation and reports with its write authorisation.
        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Broadleaf, Operations = { "read" } }, cancellationToken: Ct);
        Assert.Equal("P1", (await Recalls(Broadleaf).ListAffectedVehiclesAsync(list, cancellationToken: Ct)).Vehicles.Single().Vehicle.CustomerRef);
        var contact = new RecordContactRequest { RecallNumber = "8001", Vehicle = Key("P1", Garage), ContactedOn = Day(2027, 2, 1), Method = ContactMethod.Letter };
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(() => Recalls(Broadleaf).RecordContactAsync(contact, cancellationToken: Ct).ResponseAsync));
        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Broadleaf, Operations = { "write" } }, cancellationToken: Ct);
        Assert.Equal(RecallStep.Contacted, (await Recalls(Broadleaf).RecordContactAsync(contact, cancellationToken: Ct)).Step);

        // The same step again changes nothing; a different one for a step recorded is refused.
        Assert.Equal(Day(2027, 2, 1), (await Recalls(Garage).RecordContactAsync(contact, cancellationToken: Ct)).ContactedOn);
        Assert.Equal(StatusCode.FailedPrecondition, await StatusOfAsync(() => Recalls(Garage).RecordContactAsync(new RecordContactRequest(contact) { ContactedOn = Day(2027, 2, 2) }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOfAsync(() => Recalls(Garage).RecordContactAsync(new RecordContactRequest(contact) { Method = ContactMethod.Unspecified }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(RecallStep.Contacted, (await Recalls(Garage).AcknowledgeNoticeAsync(new AcknowledgeNoticeRequest { RecallNumber = "8001", Vehicle = Key("P1") }, cancellationToken: Ct)).Step);

        // Everyone reads the campaigns; a vendor's progress is the total only.
        Assert.Equal("8001", (await Recalls(Broadleaf).GetCampaignAsync(new GetCampaignRequest { RecallNumber = "8001" }, cancellationToken: Ct)).Definition.RecallNumber);
        var vendorProgress = await Recalls(Broadleaf).GetProgressAsync(new GetProgressRequest { RecallNumber = "8001" }, cancellationToken: Ct);
        Assert.Equal((1L, 1L), (vendorProgress.Total.Affected, vendorProgress.Total.Contacted));
        Assert.Empty(vendorProgress.Garages);
    }

    [Fact]
    public async Task Affected_vehicles_are_listed_in_pages_whose_token_goes_on_only_with_its_own_listing()
    {
        var garage = Channel(Garage);
        foreach (var serial in new[] { 1, 2, 3 })
        {
            await PutAsync(garage, $"G{serial}", $"ZVW30-{serial}");
        }

        await Recalls(Lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = Definition("8101", Range("ZVW30", 1, 3)) }, cancellationToken: Ct);
        var recalls = Recalls(Garage);
        var first = await recalls.ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = "8101", PageSize = 2 }, cancellationToken: Ct);
        var second = await recalls.ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = "8101", PageSize = 2, PageToken = first.NextPageToken }, cancellationToken: Ct);

        Assert.Equal(["G1", "G2"], first.Vehicles.Select(v => v.Vehicle.CustomerRef));
        Assert.Equal(["G3"], second.Vehicles.Select(v => v.Vehicle.CustomerRef));
        Assert.Empty(second.NextPageToken);
        Assert.Equal(StatusCode.InvalidArgument, await StatusOfAsync(() => recalls.ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = "8101", PageSize = 2, Step = RecallStep.Affected, PageToken = first.NextPageToken }, cancellationToken: Ct).ResponseAsync));
        Assert.Equal(StatusCode.InvalidArgument, await StatusOfAsync(() => recalls.ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = "8101", PageSize = 1001 }, cancellationToken: Ct).ResponseAsync));
    }

    [Theory]
    [InlineData("recall number empty", "campaign.recall_number")]
    [InlineData("recall number too long", "campaign.recall_number")]
    [InlineData("recall number with a space", "campaign.recall_number")]
    [InlineData("no manufacturer", "campaign.manufacturer")]
    [InlineData("no description", "campaign.description_ja")]
    [InlineData("description too long", "campaign.description_ja")]
    [InlineData("no range", "campaign.chassis_ranges")]
    [InlineData("101 ranges", "campaign.chassis_ranges")]
    [InlineData("serials reversed", "campaign.chassis_ranges[0]")]
    [InlineData("negative serial", "campaign.chassis_ranges[0]")]
    [InlineData("frame not a frame", "campaign.chassis_ranges[0].frame_prefix")]
    [InlineData("101 model codes", "campaign.model_codes")]
    [InlineData("model code with a slash", "campaign.model_codes[0]")]
    [InlineData("no start date", "campaign.starts_on")]
    [InlineData("start on 30 February", "campaign.starts_on")]
    [InlineData("registration month 13", "campaign.first_registered_from")]
    [InlineData("registrations reversed", "campaign.first_registered_from")]
    public async Task Malformed_campaign_is_refused_naming_its_field_and_nothing_is_stored(string problem, string field)
    {
        var definition = Definition("6001", Range("ZVW30", 1, 10));
        switch (problem)
        {
            case "recall number empty": definition.RecallNumber = ""; break;
            case "recall number too long": definition.RecallNumber = new string('1', 33); break;
            case "recall number with a space": definition.RecallNumber = "外 3210"; break;
            case "no manufacturer": definition.Manufacturer = ""; break;
            case "no description": definition.DescriptionJa = ""; break;
            case "description too long": definition.DescriptionJa = new string('欠', 4001); break;
            case "no range": definition.ChassisRanges.Clear(); break;
            case "101 ranges": definition.ChassisRanges.AddRange(Enumerable.Range(0, 100).Select(i => Range("ZVW30", i * 10, (i * 10) + 1))); break;
            case "serials reversed": definition.ChassisRanges[0].SerialFrom = 11; break;
            case "negative serial": definition.ChassisRanges[0].SerialFrom = -1; break;
            case "frame not a frame": definition.ChassisRanges[0].FramePrefix = "ZVW/30"; break;
            case "101 model codes": definition.ModelCodes.AddRange(Enumerable.Range(0, 101).Select(i => $"M{i}")); break;
            case "model code with a slash": definition.ModelCodes.Add("DAA/ZVW30"); break;
            case "no start date": definition.StartsOn = null; break;
            case "start on 30 February": definition.StartsOn = Day(2027, 2, 30); break;
            case "registration month 13": definition.FirstRegisteredFrom = new Date { Year = 2015, Month = 13 }; break;
            case "registrations reversed": (definition.FirstRegisteredFrom, definition.FirstRegisteredTo) = (new Date { Year = 2016, Month = 1 }, new Date { Year = 2015, Month = 12 }); break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Recalls(Lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Recalls(Lotus).ListCampaignsAsync(new ListCampaignsRequest(), cancellationToken: Ct)).Campaigns);
    }

    private Recalls.RecallsClient Recalls(string party) => new(Channel(party));

    private static Recalls.RecallsClient Recalls(GrpcChannel channel) => new(channel);

    private async Task<string> PutAsync(GrpcChannel garage, string customerRef, string chassis, string model = "DAA-ZVW30", RepairOrder? order = null, string? second = null)
    {
        var record = Sample.Customer(customerRef, modelCode: model);
        record.Vehicles[0].InspectionCertificate.ChassisNumber = chassis;
        if (second is not null)
        {
            var other = record.Vehicles[0].Clone();
            (other.VehicleRef, other.InspectionCertificate.ChassisNumber) = ("v2", second);
            record.Vehicles.Add(other);
        }

        if (order is not null)
        {
            record.Repairs.Add(order);
        }

        return (await new Records.RecordsClient(garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct)).SubjectId;
    }

    // The recall notices after the position, until count arrived, then any more that follow at once.
    private async Task<(List<RecallNotice> Notices, long Through)> NoticesAsync(GrpcChannel channel, long after, int count)
    {
        using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { AfterSequence = after }, cancellationToken: Ct);
        var notices = new List<RecallNotice>();
        var through = after;
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(notices.Count < count ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(500));
            try
            {
                if (!await call.ResponseStream.MoveNext(wait.Token))
                {
                    break;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && notices.Count >= count)
            {
                break;
            }

            through = call.ResponseStream.Current.Sequence;
            if (call.ResponseStream.Current.RecallNotice is { } notice)
            {
                notices.Add(notice);
            }
        }

        Assert.Equal(count, notices.Count);
        return (notices, through);
    }

    private static async Task<List<string>> AffectedRefsAsync(Recalls.RecallsClient recalls, string recallNumber) =>
        (await recalls.ListAffectedVehiclesAsync(new ListAffectedVehiclesRequest { RecallNumber = recallNumber }, cancellationToken: Ct)).Vehicles.Select(v => v.Vehicle.CustomerRef).ToList();

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call) => (await Assert.ThrowsAsync<RpcException>(call)).StatusCode;

    private static CampaignDefinition Definition(string recallNumber, params ChassisRange[] ranges)
    {
        var yesterday = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime).AddDays(-1);
        var definition = new CampaignDefinition
        {
            RecallNumber = recallNumber,
            Manufacturer = "トヨタ自動車株式会社",
            DescriptionJa = "ハイブリッドシステムの制御プログラムが不適切なため、走行不能となるおそれがある。",
            RemedyJa = "制御プログラムを対策プログラムに書き換える。",
            StartsOn = Day(yesterday.Year, yesterday.Month, yesterday.Day),
        };
        definition.ChassisRanges.AddRange(ranges);
        return definition;
    }

    private static ChassisRange Range(string frame, long from, long to) => new() { FramePrefix = frame, SerialFrom = from, SerialTo = to };

    private static VehicleKey Key(string customerRef, string owner = "") => new() { OwnerParty = owner, CustomerRef = customerRef, VehicleRef = "v1" };

    private static Date Day(int year, int month, int day) => new() { Year = year, Month = month, Day = day };

    private static ProgressCounts Counts(long affected, long notified, long acknowledged, long contacted, long repaired) =>
        new() { Affected = affected, Notified = notified, Acknowledged = acknowledged, Contacted = contacted, Repaired = repaired };
}

public sealed class RecallsServiceOnSqliteTests() : RecallsServiceTests(DatabaseProvider.Sqlite);

public sealed class RecallsServiceOnPostgresTests() : RecallsServiceTests(DatabaseProvider.Postgres);
