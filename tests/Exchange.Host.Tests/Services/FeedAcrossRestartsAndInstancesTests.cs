using Exchange.Contracts.V1;
using Exchange.Domain.Feed;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Exchange.Storage;
using Exchange.Storage.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// A subscription resumes from its last sequence after the hub restarts, and on another instance
/// sharing the PostgreSQL database, with nothing lost or repeated; the instances wake each other's
/// subscribers, and store a certificate warning and a recall notice once between them.
/// </summary>
public abstract class FeedAcrossRestartsAndInstancesTests(DatabaseProvider provider) : IDisposable
{
    private protected const string Garage = "garage-kaminoyama";
    private protected const string Lotus = "group-lotus";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "exchange-feed-" + Guid.NewGuid().ToString("N")[..12]);
    private PostgresTestDatabase? _database;

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscription_resumes_after_a_hub_restart_with_every_event_once_in_order()
    {
        var refs = Enumerable.Range(0, 5).Select(i => $"FEED-R{i:D3}").ToList();
        var received = new List<FeedEvent>();
        await using (var hub = await StartAsync())
        {
            foreach (var customerRef in refs)
            {
                await PutAsync(hub, customerRef, "山田 太郎");
                await ReadAsync(hub, customerRef);
            }

            await PutAsync(hub, refs[0], "訂正 一");
            await PutAsync(hub, refs[1], "訂正 一");
            using var channel = Channel(hub, Lotus);
            using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { FromEarliest = true }, cancellationToken: Ct);
            received.Add(await NextAsync(call));
            await PutAsync(hub, refs[2], "訂正 一");
        }

        await using (var hub = await StartAsync())
        {
            await PutAsync(hub, refs[3], "訂正 一");
            await PutAsync(hub, refs[4], "訂正 一");
            using var channel = Channel(hub, Lotus);
            using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { AfterSequence = received[^1].Sequence }, cancellationToken: Ct);
            while (received.Count < refs.Count)
            {
                received.Add(await NextAsync(call));
            }
        }

        Assert.Equal(refs, received.Select(e => e.RecordCorrected.CustomerRef));
        Assert.Equal(received.Select(e => e.Sequence).Order(), received.Select(e => e.Sequence));
        Assert.Equal(refs.Count, received.Select(e => e.Sequence).Distinct().Count());
        Assert.All(received, e => Assert.Equal("訂正 一", e.RecordCorrected.Record.Contact.Name));
    }

    public void Dispose()
    {
        _database?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A hub on this test's data, PKI and database (several at once share them).</summary>
    private protected Task<TestHub> StartAsync(FakeTimeProvider? time = null, IDictionary<string, string?>? extra = null)
    {
        if (provider == DatabaseProvider.Postgres && _database is null)
        {
            PostgresTestDatabase.SkipUnlessAvailable();
            _database = new PostgresTestDatabase("feed");
        }

        var settings = new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Path.Combine(_directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = Path.Combine(_directory, "certs"),
            ["Exchange:Database:Provider"] = provider.ToString(),
            ["Exchange:Database:ConnectionString"] = _database?.ConnectionString,
            ["Exchange:Feed:HeadCheckInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestHub.StartAsync(time: time, settings: settings);
    }

    // Every hub here uses this test's development PKI, created by the first.
    private protected GrpcChannel Channel(TestHub hub, string party) =>
        MutualTlsChannel.Create(hub.Address, PemFiles.LoadCertificateWithKey(Path.Combine(_directory, "certs", party + ".crt"), Path.Combine(_directory, "certs", party + ".key")), hub.TrustAnchors);

    private protected CertificateAuthority DevelopmentCa() =>
        new(PemFiles.LoadCertificateWithKey(Path.Combine(_directory, "certs", "ca.crt"), Path.Combine(_directory, "certs", "ca.key")));

    [Fact]
    public async Task Recall_notices_of_a_campaign_starting_later_are_stored_on_its_start_day_once_though_two_instances_queue_them()
    {
        // Two minutes before midnight in Japan, where a campaign's day begins; in the past, since the hub's
        // certificates are issued on its clock and the client checks them on the real one.
        var japan = TimeSpan.FromHours(9);
        var tomorrow = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(japan).DateTime);
        var midnight = new DateTimeOffset(tomorrow.ToDateTime(TimeOnly.MinValue), japan);
        var time = new FakeTimeProvider(midnight.AddMinutes(-2));
        var upkeep = new Dictionary<string, string?> { ["Exchange:Feed:MaintenanceInterval"] = "00:01:00" };
        await using var first = await StartAsync(time, upkeep);
        await using var second = await StartAsync(time, upkeep);
        await PutAsync(first, "7000", "山田 七郎");
        using (var lotus = Channel(second, Lotus))
        {
            var campaign = new CampaignDefinition { RecallNumber = "4001", Manufacturer = "トヨタ自動車株式会社", DescriptionJa = "不具合の内容", StartsOn = new Date { Year = tomorrow.Year, Month = tomorrow.Month, Day = tomorrow.Day } };
            campaign.ChassisRanges.Add(new ChassisRange { FramePrefix = "ZVW30", SerialFrom = 7000, SerialTo = 7000 });
            Assert.Equal(1, (await new Recalls.RecallsClient(lotus).CreateCampaignAsync(new CreateCampaignRequest { Campaign = campaign }, cancellationToken: Ct)).NewlyAffected);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(500, Ct);
        Assert.Equal(0, await RecallNoticesStoredAsync(first));

        for (var round = 0; round < 4; round++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(500, Ct);
        }

        Assert.Equal(1, await RecallNoticesStoredAsync(second));
    }

    private static async Task<int> RecallNoticesStoredAsync(TestHub hub)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<IFeedStore>().ReadAsync(Garage, 0, 1000, Ct);
        return stored.Count(e => FeedEvent.Parser.ParseFrom(e.Body).RecallNotice is not null);
    }

    private protected async Task PutAsync(TestHub hub, string customerRef, string name)
    {
        using var channel = Channel(hub, Garage);
        var record = Sample.Customer(customerRef);
        record.Contact.Name = name;
        await new Records.RecordsClient(channel).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
    }

    private protected async Task ReadAsync(TestHub hub, string customerRef)
    {
        using var channel = Channel(hub, Lotus);
        await new Records.RecordsClient(channel).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = customerRef, Items = { "contact.name" } }, cancellationToken: Ct);
    }

    private protected static async Task<FeedEvent> NextAsync(AsyncServerStreamingCall<FeedEvent> call)
    {
        Assert.True(await call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct));
        return call.ResponseStream.Current;
    }
}

public sealed class FeedAcrossRestartsOnSqliteTests() : FeedAcrossRestartsAndInstancesTests(DatabaseProvider.Sqlite);

public sealed class FeedAcrossRestartsAndInstancesOnPostgresTests() : FeedAcrossRestartsAndInstancesTests(DatabaseProvider.Postgres)
{
    [Fact]
    public async Task Subscriber_on_one_instance_follows_events_stored_through_another_and_resumes_on_that_one()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        var refs = Enumerable.Range(0, 4).Select(i => $"FEED-S{i:D3}").ToList();
        foreach (var customerRef in refs)
        {
            await PutAsync(first, customerRef, "山田 太郎");
            await ReadAsync(second, customerRef);
        }

        var received = new List<FeedEvent>();
        using (var channel = Channel(second, Lotus))
        {
            using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { FromLatest = true }, cancellationToken: Ct);
            await Task.Delay(300, Ct);
            await PutAsync(first, refs[0], "訂正 二");
            received.Add(await NextAsync(call));
            await PutAsync(first, refs[1], "訂正 二");
            received.Add(await NextAsync(call));
        }

        await PutAsync(second, refs[2], "訂正 二");
        await PutAsync(first, refs[3], "訂正 二");
        using (var channel = Channel(first, Lotus))
        {
            using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { AfterSequence = received[^1].Sequence }, cancellationToken: Ct);
            received.Add(await NextAsync(call));
            received.Add(await NextAsync(call));
        }

        Assert.Equal(refs, received.Select(e => e.RecordCorrected.CustomerRef));
        Assert.Equal(received.Select(e => e.Sequence).Order(), received.Select(e => e.Sequence));
        Assert.Equal(refs.Count, received.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task Certificate_warning_is_stored_once_though_two_instances_notice_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var upkeep = new Dictionary<string, string?> { ["Exchange:Feed:MaintenanceInterval"] = "00:01:00" };
        await using var first = await StartAsync(time, upkeep);
        await using var second = await StartAsync(time, upkeep);
        using var ca = DevelopmentCa();
        using var certificate = ca.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", Lotus), time.GetUtcNow().AddMinutes(-5), time.GetUtcNow().AddDays(20));
        await first.RecordAsync(certificate, Lotus);

        foreach (var _ in Enumerable.Range(0, 3))
        {
            time.Advance(TimeSpan.FromMinutes(2));
            await Task.Delay(300, Ct);
        }

        using var channel = Channel(second, Lotus);
        using var call = new Feed.FeedClient(channel).Subscribe(new SubscribeRequest { AfterSequence = 0 }, cancellationToken: Ct);
        var warning = (await NextAsync(call)).CertificateExpiring;
        Assert.Equal((certificate.SerialNumber, 19), (warning.SerialNumber, warning.DaysLeft));
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        quiet.CancelAfter(TimeSpan.FromMilliseconds(500));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(quiet.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}
