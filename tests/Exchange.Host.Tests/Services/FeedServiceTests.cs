using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Identity;
using Exchange.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Feed/Subscribe over real mTLS on each provider: a partner receives the events meant for it, a
/// corrected record checked and recorded as a provision when it goes out, from a position it
/// resumes from without loss or repetition; a position older than retention is refused.
/// </summary>
public abstract class FeedServiceTests(DatabaseProvider provider) : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";
    private const string Broadleaf = "vendor-broadleaf";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    // Short retention and upkeep interval: a fake clock fires the hub's one-second timers for every second it is advanced.
    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(time: _time, provider: provider, settings: new Dictionary<string, string?>
    {
        ["Exchange:Feed:RetentionDays"] = "1",
        ["Exchange:Feed:MaintenanceInterval"] = "00:01:00",
    });

    [Fact]
    public async Task Correction_reaches_the_partner_that_read_the_record_masked_to_the_items_it_received_and_recorded_before_it_is_sent()
    {
        var subject = await PutAsync("FEED-A001");
        await ReadAsync("FEED-A001", "contact.name", "contact.phone");
        using var call = Subscribe(Lotus, new SubscribeRequest { AfterSequence = 0 });

        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            await PutAsync("FEED-A001", name: "山田 次郎");
            var corrected = (await NextAsync(call)).RecordCorrected;

            Assert.Equal((Garage, "FEED-A001", subject, "marketing", 1, ""), (corrected.OwnerParty, corrected.CustomerRef, corrected.SubjectId, corrected.Purpose, corrected.DeclarationVersion, corrected.WithheldRule));
            Assert.Equal(["contact.name", "contact.phone"], corrected.Items);
            Assert.Equal("山田 次郎", corrected.Record.Contact.Name);
            Assert.Equal("023-672-0000", corrected.Record.Contact.Phone);
            Assert.Empty(corrected.Record.Contact.Email);
            Assert.Empty(corrected.Record.Vehicles);
        });

        var provided = Assert.Single(entries, e => e.Outcome == ProvisionOutcome.Provided);
        Assert.Equal((Garage, Lotus, subject, "marketing"), (provided.Provider, provided.Recipient, provided.SubjectId, provided.Purpose));
        Assert.Equal(["contact.name", "contact.phone"], provided.Items);
    }

    [Fact]
    public async Task Correction_of_a_person_who_opted_out_since_is_withheld_with_the_rule_and_recorded_as_a_refusal()
    {
        var subject = await PutAsync("FEED-B001");
        await ReadAsync("FEED-B001", "contact");
        await new Records.RecordsClient(Channel(Garage)).SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "FEED-B001", Purpose = "marketing", OptedOut = true }, cancellationToken: Ct);
        using var call = Subscribe(Lotus, new SubscribeRequest { AfterSequence = 0 });

        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            await PutAsync("FEED-B001", name: "山田 三郎");
            var corrected = (await NextAsync(call)).RecordCorrected;

            Assert.Null(corrected.Record);
            Assert.Empty(corrected.Items);
            Assert.Equal(("person.opted-out", subject), (corrected.WithheldRule, corrected.SubjectId));
        });

        var refused = Assert.Single(entries, e => e.Recipient == Lotus);
        Assert.Equal((ProvisionOutcome.Refused, "person.opted-out", subject), (refused.Outcome, refused.Rule, refused.SubjectId));
    }

    [Fact]
    public async Task Deletion_reaches_the_partner_that_read_the_record_as_a_notice_without_values_and_no_provision()
    {
        var subject = await PutAsync("FEED-F001");
        await ReadAsync("FEED-F001", "contact.name");
        using var call = Subscribe(Lotus, new SubscribeRequest { FromLatest = true });
        await Task.Delay(200, Ct);

        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            await new Records.RecordsClient(Channel(Garage)).DeleteCustomerAsync(new DeleteCustomerRequest { Purpose = "after-sales", Customer = new CustomerKey { CustomerRef = "FEED-F001" } }, cancellationToken: Ct);
            var deleted = (await NextAsync(call)).RecordDeleted;
            Assert.Equal((Garage, "FEED-F001", subject), (deleted.OwnerParty, deleted.CustomerRef, deleted.SubjectId));
        });

        Assert.DoesNotContain(entries, e => e.Recipient == Lotus);
    }

    [Fact]
    public async Task Subscriber_sees_only_its_own_events_and_a_garage_sees_what_its_vendor_changed()
    {
        var subject = await PutAsync("FEED-C001");
        await ReadAsync("FEED-C001", "contact.name");
        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Broadleaf, Operations = { "write" } }, cancellationToken: Ct);
        using var lotus = Subscribe(Lotus, new SubscribeRequest { FromLatest = true });
        using var broadleaf = Subscribe(Broadleaf, new SubscribeRequest { FromLatest = true });
        using var garage = Subscribe(Garage, new SubscribeRequest { FromLatest = true });
        await Task.Delay(200, Ct);

        var record = Sample.Customer("FEED-C001");
        record.OwnerParty = Garage;
        record.Contact.Name = "山田 四郎";
        await new Records.RecordsClient(Channel(Broadleaf)).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);

        var changed = (await NextAsync(garage)).RecordChangedByVendor;
        Assert.Equal((Broadleaf, "FEED-C001", subject, ChangeKind.Corrected), (changed.VendorParty, changed.CustomerRef, changed.SubjectId, changed.Change));
        Assert.StartsWith("call_", changed.CallId, StringComparison.Ordinal);
        Assert.Equal(subject, (await NextAsync(lotus)).RecordCorrected.SubjectId);
        await AssertNothingAsync(broadleaf);
        await AssertNothingAsync(garage);
    }

    [Fact]
    public async Task Subscription_whose_certificate_is_revoked_ends_before_its_next_event_is_delivered()
    {
        const string Revoked = "garage-feed-revoked";
        var admin = Channel("admin");
        await admin.AddPartyAsync(Revoked);
        var keys = Track(new PartnerKeys(Revoked));
        var issued = await admin.IssueAsync(Revoked, keys);
        await new Partners.PartnersClient(admin).GrantAuthorisationAsync(new GrantAuthorisationRequest { GarageParty = Revoked, VendorParty = Broadleaf, Operations = { "write" } }, cancellationToken: Ct);
        using var call = new Feed.FeedClient(Channel(Track(keys.Certificate(issued.CertificatePem)))).Subscribe(new SubscribeRequest { FromLatest = true }, cancellationToken: Ct);
        await Task.Delay(200, Ct);
        Task WriteForItAsync(string customerRef)
        {
            var record = Sample.Customer(customerRef);
            record.OwnerParty = Revoked;
            return new Records.RecordsClient(Channel(Broadleaf)).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync;
        }

        await WriteForItAsync("FEED-R001");
        Assert.Equal("FEED-R001", (await NextAsync(call)).RecordChangedByVendor.CustomerRef);
        await admin.RevokeAsync(issued.Certificate.SerialNumber);
        await WriteForItAsync("FEED-R002");

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("revoked", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscription_from_latest_names_its_start_at_once_so_a_drop_before_any_event_resumes_without_a_gap()
    {
        await PutAsync("FEED-H001");
        await ReadAsync("FEED-H001", "contact.name");
        long startsAfter;
        using (var first = Subscribe(Lotus, new SubscribeRequest { FromLatest = true }))
        {
            Assert.True(FeedPosition.TryParse((await first.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(30), Ct)).GetValue(FeedPosition.Header), out startsAfter));
        }

        await PutAsync("FEED-H001", name: "山田 五郎");
        using var resumed = Subscribe(Lotus, new SubscribeRequest { AfterSequence = startsAfter });

        var corrected = await NextAsync(resumed);
        Assert.Equal("FEED-H001", corrected.RecordCorrected.CustomerRef);
        Assert.True(corrected.Sequence > startsAfter);
    }

    [Fact]
    public async Task New_declaration_version_reaches_every_subscriber_with_its_effective_time()
    {
        using var lotus = Subscribe(Lotus, new SubscribeRequest { FromLatest = true });
        using var garage = Subscribe(Garage, new SubscribeRequest());
        await Task.Delay(200, Ct);
        var effective = _time.GetUtcNow().AddDays(15);

        var published = await new Declarations.DeclarationsClient(Channel("admin")).PublishAsync(new PublishRequest { Content = DefaultDeclaration.Kaminoyama(), EffectiveAt = Timestamp.FromDateTimeOffset(effective) }, cancellationToken: Ct);

        foreach (var call in new[] { lotus, garage })
        {
            var received = await NextAsync(call);
            Assert.Equal((2, effective, published.Hash), (received.DeclarationPublished.Version, received.DeclarationPublished.EffectiveFrom.ToDateTimeOffset(), received.DeclarationPublished.Hash));
            Assert.Equal(_time.GetUtcNow(), received.OccurredAt.ToDateTimeOffset());
        }
    }

    [Fact]
    public async Task Subscriber_resuming_after_a_disconnect_gets_every_later_event_once_in_order()
    {
        var refs = Enumerable.Range(0, 6).Select(i => $"FEED-D{i:D3}").ToList();
        foreach (var customerRef in refs)
        {
            await PutAsync(customerRef);
            await ReadAsync(customerRef, "contact.name");
        }

        foreach (var customerRef in refs)
        {
            await PutAsync(customerRef, name: "訂正 " + customerRef);
        }

        var first = await TakeAsync(Lotus, new SubscribeRequest { FromEarliest = true }, 2);
        var rest = await TakeAsync(Lotus, new SubscribeRequest { AfterSequence = first[^1].Sequence }, 4);

        var all = first.Concat(rest).ToList();
        Assert.Equal(refs, all.Select(e => e.RecordCorrected.CustomerRef));
        Assert.Equal(all.Select(e => e.Sequence).Order(), all.Select(e => e.Sequence));
        Assert.Equal(6, all.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task Position_older_than_retention_is_refused_out_of_range_and_from_earliest_starts_after_it()
    {
        await PutAsync("FEED-E001");
        await ReadAsync("FEED-E001", "contact.name");
        await PutAsync("FEED-E001", name: "山田 五郎");
        var kept = await TakeAsync(Lotus, new SubscribeRequest { AfterSequence = 0 }, 1);

        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(2));
        await WaitUntilPrunedAsync(Lotus);
        await PutAsync("FEED-E001", name: "山田 六郎");

        using var old = Subscribe(Lotus, new SubscribeRequest { AfterSequence = 0 });
        var error = await Assert.ThrowsAsync<RpcException>(() => old.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
        var earliest = await TakeAsync(Lotus, new SubscribeRequest { FromEarliest = true }, 1);
        Assert.True(earliest[0].Sequence > kept[0].Sequence);
        Assert.Equal("山田 六郎", earliest[0].RecordCorrected.Record.Contact.Name);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_000)]
    public async Task Position_naming_no_event_of_the_hub_is_refused(long after)
    {
        using var call = Subscribe(Lotus, new SubscribeRequest { AfterSequence = after });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("names no event", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_nearing_expiry_is_announced_to_its_party_once_per_threshold_passed()
    {
        using var ca = Hub.DevelopmentCa();
        var now = _time.GetUtcNow();
        using var certificate = ca.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", Lotus), now.AddMinutes(-5), now.AddDays(14).AddMinutes(90));
        await Hub.RecordAsync(certificate, Lotus);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());

        // 14 days and 30 minutes left at the first check: the 30-day threshold; an hour later, the 14-day one.
        foreach (var _ in Enumerable.Range(0, 4))
        {
            _time.Advance(TimeSpan.FromMinutes(61));
            await Task.Delay(100, Ct);
        }

        using var call = Subscribe(Lotus, new SubscribeRequest { AfterSequence = 0 });
        var warnings = new[] { (await NextAsync(call)).CertificateExpiring, (await NextAsync(call)).CertificateExpiring };
        Assert.All(warnings, w => Assert.Equal((certificate.SerialNumber, notAfter), (w.SerialNumber, w.NotAfter.ToDateTimeOffset())));
        Assert.Equal([14, 13], warnings.Select(w => w.DaysLeft));
        await AssertNothingAsync(call);
    }

    private async Task<string> PutAsync(string customerRef, string? name = null)
    {
        var record = Sample.Customer(customerRef);
        record.Contact.Name = name ?? record.Contact.Name;
        return (await new Records.RecordsClient(Channel(Garage)).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct)).SubjectId;
    }

    private Task ReadAsync(string customerRef, params string[] items) =>
        new Records.RecordsClient(Channel(Lotus)).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = customerRef, Items = { items } }, cancellationToken: Ct).ResponseAsync;

    private AsyncServerStreamingCall<FeedEvent> Subscribe(string party, SubscribeRequest request) =>
        new Feed.FeedClient(Channel(party)).Subscribe(request, cancellationToken: Ct);

    private async Task<List<FeedEvent>> TakeAsync(string party, SubscribeRequest request, int count)
    {
        using var call = Subscribe(party, request);
        var events = new List<FeedEvent>();
        while (events.Count < count)
        {
            events.Add(await NextAsync(call));
        }

        return events;
    }

    private async Task WaitUntilPrunedAsync(string recipient)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var scope = Hub.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<IFeedStore>().PrunedThroughAsync(recipient, Ct) > 0)
            {
                return;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail("the feed was not pruned");
    }

    private static async Task<FeedEvent> NextAsync(AsyncServerStreamingCall<FeedEvent> call)
    {
        Assert.True(await call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct));
        return call.ResponseStream.Current;
    }

    private static async Task AssertNothingAsync(AsyncServerStreamingCall<FeedEvent> call)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        quiet.CancelAfter(TimeSpan.FromMilliseconds(500));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(quiet.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}

public sealed class FeedServiceOnSqliteTests() : FeedServiceTests(DatabaseProvider.Sqlite);

public sealed class FeedServiceOnPostgresTests() : FeedServiceTests(DatabaseProvider.Postgres);
