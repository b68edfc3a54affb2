using System.Diagnostics;
using Exchange.Contracts.V1;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Bench;

/// <summary>What the recall scenario measured.</summary>
/// <param name="Vehicles">Vehicles the hub held when the campaign was created.</param>
/// <param name="Garages">Garages holding them.</param>
/// <param name="LoadSeconds">Time to load them through the store (not measured against anything).</param>
/// <param name="Affected">Vehicles the campaign matched.</param>
/// <param name="GaragesReached">Garages owning them.</param>
/// <param name="MatchSeconds">Time of the CreateCampaign call: matching every vehicle and queueing the notices.</param>
/// <param name="Delivered">Notices one garage's subscription received for a second campaign.</param>
/// <param name="DeliverySeconds">Time from creating that campaign to the last notice received.</param>
internal sealed record RecallRun(long Vehicles, int Garages, double LoadSeconds, long Affected, int GaragesReached, double MatchSeconds, long Delivered, double DeliverySeconds)
{
    public double NoticesPerSecond => Delivered / DeliverySeconds;
}

/// <summary>
/// Recall campaigns at size: <see cref="BenchOptions.RecallVehicles"/> vehicles across <see cref="Garages"/>
/// garages, loaded through the customer store (not the API), then the group body creates a
/// campaign covering one vehicle in a hundred, spread over every garage: the call's time is the
/// match against every vehicle and the queueing of its notices. Then a campaign over
/// <see cref="DeliveredNotices"/> of the development garage's vehicles, whose notices its
/// subscription receives, each decided and recorded as a provision as it goes out.
/// </summary>
internal static class RecallScenario
{
    /// <summary>Garages holding the vehicles.</summary>
    public const int Garages = 1_000;

    /// <summary>Notices delivered to one subscription in the delivery part.</summary>
    public const int DeliveredNotices = 10_000;

    private const int Batch = 1_000;
    private const long FirstSerial = 1_000_000;

    /// <summary>Runs both parts on <paramref name="vehicles"/> vehicles.</summary>
    public static async Task<RecallRun> RunAsync(BenchHub hub, int vehicles)
    {
        var started = Stopwatch.GetTimestamp();
        await LoadAsync(hub, vehicles).ConfigureAwait(false);
        var loadSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Report.Line($"  recall: {vehicles:N0} vehicles across {Garages:N0} garages loaded through the store in {loadSeconds:N0} s");

        var recalls = new Recalls.RecallsClient(hub.CreateChannel(BenchHub.GroupBody));
        // Serials are dealt round the garages: a range of one serial in a hundred covers every garage.
        var affected = vehicles / 100;
        started = Stopwatch.GetTimestamp();
        var change = await recalls.CreateCampaignAsync(new CreateCampaignRequest { Campaign = Campaign("BENCH-1", "ZVW30", FirstSerial, FirstSerial + affected - 1) }).ConfigureAwait(false);
        var matchSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (change.NewlyAffected != affected)
        {
            throw new InvalidOperationException($"The campaign matched {change.NewlyAffected} vehicles, not {affected}.");
        }

        var progress = await recalls.GetProgressAsync(new GetProgressRequest { RecallNumber = "BENCH-1" }).ConfigureAwait(false);
        var (delivered, deliverySeconds) = await DeliverAsync(hub, recalls).ConfigureAwait(false);
        return new RecallRun(vehicles, Garages, loadSeconds, change.NewlyAffected, progress.Garages.Count, matchSeconds, delivered, deliverySeconds);
    }

    // The garages as parties, then their customers, one vehicle each, a transaction per batch.
    private static async Task LoadAsync(BenchHub hub, int vehicles)
    {
        var time = hub.Services.GetRequiredService<TimeProvider>();
        var garages = Enumerable.Range(0, Garages).Select(GarageId).ToArray();
        await using (var scope = hub.Services.CreateAsyncScope())
        {
            var parties = scope.ServiceProvider.GetRequiredService<IPartyRegistryStore>();
            var now = time.GetUtcNow();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(
                async ct =>
                {
                    foreach (var id in garages)
                    {
                        await parties.AddAsync(new PartyDetails(new Party(id, PartyRole.MemberGarage, PartyStatus.Active, $"ベンチ自動車 {id}", $"Bench Motors {id}"), null, now, now), ct).ConfigureAwait(false);
                    }

                    return 0;
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        var pseudonyms = hub.Services.GetRequiredService<SubjectPseudonyms>();
        for (var first = 0; first < vehicles; first += Batch)
        {
            var batch = Enumerable.Range(first, Math.Min(Batch, vehicles - first)).Select(i =>
            {
                var garage = garages[i % Garages];
                var record = Customer(garage, $"C{i / Garages:D6}", "ZVW30", FirstSerial + i);
                return new StoredCustomer(pseudonyms.SubjectOf(garage, record.CustomerRef), record, record.ToByteArray(), time.GetUtcNow());
            }).ToList();
            await using var scope = hub.Services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => store.UpsertAsync(batch, ct), CancellationToken.None).ConfigureAwait(false);
        }
    }

    // The development garage gets DeliveredNotices vehicles of a frame of their own; its
    // subscription, opened before the campaign, counts the notices until the last arrives.
    private static async Task<(long Delivered, double Seconds)> DeliverAsync(BenchHub hub, Recalls.RecallsClient recalls)
    {
        var garage = new Records.RecordsClient(hub.CreateChannel());
        for (var first = 0; first < DeliveredNotices; first += Batch)
        {
            var request = new PutCustomersRequest { Purpose = "after-sales" };
            request.Records.AddRange(Enumerable.Range(first, Batch).Select(i => Customer("", $"RECALL-{i:D6}", "GRX130", FirstSerial + i)));
            await garage.PutCustomersAsync(request).ConfigureAwait(false);
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        using var call = new Feed.FeedClient(hub.CreateChannel()).Subscribe(new SubscribeRequest { FromLatest = true }, cancellationToken: stop.Token);
        await call.ResponseHeadersAsync.ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        await recalls.CreateCampaignAsync(new CreateCampaignRequest { Campaign = Campaign("BENCH-2", "GRX130", FirstSerial, FirstSerial + DeliveredNotices - 1) }).ConfigureAwait(false);
        long received = 0;
        while (received < DeliveredNotices && await call.ResponseStream.MoveNext(stop.Token).ConfigureAwait(false))
        {
            if (call.ResponseStream.Current.RecallNotice is { Record: not null })
            {
                received++;
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (received < DeliveredNotices)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"only {received} of {DeliveredNotices} notices arrived"));
        }

        return (received, seconds);
    }

    private static CampaignDefinition Campaign(string number, string frame, long from, long to) => new()
    {
        RecallNumber = number,
        Manufacturer = "ベンチ自動車工業株式会社",
        ModelCodes = { $"DAA-{frame}" },
        ChassisRanges = { new ChassisRange { FramePrefix = frame, SerialFrom = from, SerialTo = to } },
        DescriptionJa = "制動装置の不具合",
        RemedyJa = "部品を交換する",
        StartsOn = new Date { Year = 2020, Month = 1, Day = 1 },
    };

    private static CustomerRecord Customer(string owner, string customerRef, string frame, long serial) => new()
    {
        OwnerParty = owner,
        CustomerRef = customerRef,
        Contact = new CustomerContact
        {
            Name = "山田 太郎",
            NameKana = "ヤマダ タロウ",
            Address = new PostalAddress { PostalCode = "999-3243", Prefecture = "山形県", Locality = "上山市", Street = "高松 1-2-3" },
            Phone = "023-672-0000",
        },
        Vehicles =
        {
            new Vehicle
            {
                VehicleRef = "v1",
                InspectionCertificate = new InspectionCertificate
                {
                    RegistrationNumber = "山形 500 あ 12-34",
                    ChassisNumber = FormattableString.Invariant($"{frame}-{serial}"),
                    ModelCode = $"DAA-{frame}",
                    Maker = "ベンチ",
                    FirstRegistration = new Date { Year = 2015, Month = 6 },
                },
            },
        },
    };

    private static string GarageId(int index) => FormattableString.Invariant($"garage-bench-{index:D4}");
}
