using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Joint users bound to the registry, over real mTLS: a party that falls under no joint user of
/// the declaration in force receives nothing, and each refusal is recorded with its rule.
/// </summary>
public sealed class JointUsersTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(_time);

    private Records.RecordsClient Records(string party) => new(Channel(party));

    private async Task<Records.RecordsClient> RegisterAsync(string partyId, string role)
    {
        var admin = Channel("admin");
        await admin.AddPartyAsync(partyId, role);
        var keys = new PartnerKeys(partyId);
        var issued = await admin.IssueAsync(partyId, keys);
        var certificate = Track(keys.Certificate(issued.CertificatePem));
        keys.Dispose();
        return new Records.RecordsClient(Channel(certificate));
    }

    private static GetCustomerRequest Get(string purpose, string customerRef, params string[] items)
    {
        var request = new GetCustomerRequest { Purpose = purpose, OwnerParty = Garage, CustomerRef = customerRef };
        request.Items.AddRange(items);
        return request;
    }

    [Fact]
    public async Task Group_body_the_declaration_does_not_name_receives_nothing_and_its_refusals_say_why()
    {
        await Records(Garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        var other = await RegisterAsync("group-other", "group-body");
        var named = await Records("group-lotus").GetCustomerAsync(Get("marketing", "C001", "contact"), cancellationToken: Ct);
        var person = (await Hub.ReadAllAsync())[^1].Fact.SubjectId;
        var declaration = await new Declarations.DeclarationsClient(Channel("admin")).GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct);
        RpcException read = null!, search = null!;

        var (provisions, audit) = await Hub.TracesDuringAsync(async () =>
        {
            read = await Refusals.FailsAsync(() => other.GetCustomerAsync(Get("marketing", "C001", "contact"), cancellationToken: Ct).ResponseAsync);
            search = await Refusals.FailsAsync(async () =>
            {
                using var call = other.SearchCustomers(new SearchCustomersRequest { Purpose = "recall", Items = { "contact" }, ModelCodes = { "DAA-ZVW30" } }, cancellationToken: Ct);
                await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
            });
        });

        Assert.Equal("C001", named.Record.CustomerRef);
        Assert.NotNull(person);
        foreach (var error in new[] { read, search })
        {
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Equal("party.not-joint-user", error.Trailers.GetValue("exchange-rule"));
            Assert.Contains("group-body 'group-other' is not a joint user of declaration version 1 (no group-body joint user names party ID 'group-other'), so it receives nothing (rule party.not-joint-user)", error.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(
            [
                (Garage, "group-other", "marketing", person, ProvisionOutcome.Refused, "party.not-joint-user", 1, declaration.Hash),
                ("*", "group-other", "recall", (string?)null, ProvisionOutcome.Refused, "party.not-joint-user", 1, declaration.Hash),
            ],
            provisions.Select(p => (p.Provider, p.Recipient, p.Purpose, p.SubjectId, p.Outcome, p.Rule, p.DeclarationVersion, p.DeclarationHash)));
        Assert.Empty(audit);
    }

    [Fact]
    public async Task New_member_garage_falls_under_the_member_garage_class_and_stops_receiving_when_the_class_is_narrowed_away()
    {
        var zao = await RegisterAsync("garage-zao", "member-garage");
        var record = Sample.Customer("Z001");
        record.OwnerParty = "garage-zao";
        await zao.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
        var withoutGarages = DefaultDeclaration.Kaminoyama();
        withoutGarages.JointUsers.Remove(withoutGarages.JointUsers.Single(u => u.Role == "member-garage"));
        _time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await new Declarations.DeclarationsClient(Channel("admin")).PublishAsync(new PublishRequest { Content = withoutGarages, EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) }, cancellationToken: Ct);
        RpcException error = null!;

        var (provisions, audit) = await Hub.TracesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => zao.GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = "garage-zao", CustomerRef = "Z001", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync));

        Assert.Equal((StatusCode.PermissionDenied, "party.not-joint-user"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
        Assert.Contains("member-garage 'garage-zao' is not a joint user of declaration version 2 (the member-garage class is not declared)", error.Status.Detail, StringComparison.Ordinal);
        var refusal = Assert.Single(provisions);
        Assert.Equal(("garage-zao", "garage-zao", "after-sales", ProvisionOutcome.Refused, "party.not-joint-user", 2, v2.Hash), (refusal.Provider, refusal.Recipient, refusal.Purpose, refusal.Outcome, refusal.Rule, refusal.DeclarationVersion, refusal.DeclarationHash));
        Assert.Empty(audit);
    }

    [Fact]
    public async Task Vendor_narrowed_out_of_the_declaration_gets_nothing_even_with_the_garages_authorisation()
    {
        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = "vendor-broadleaf", Operations = { "read", "write" } }, cancellationToken: Ct);
        await Records(Garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        var vendor = Records("vendor-broadleaf");
        var read = new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "C001", Items = { "contact" } };
        Assert.Equal("C001", (await vendor.GetCustomerAsync(read, cancellationToken: Ct)).Record.CustomerRef);
        var withoutVendor = DefaultDeclaration.Kaminoyama();
        withoutVendor.JointUsers.Remove(withoutVendor.JointUsers.Single(u => u.Role == "vendor"));
        _time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await new Declarations.DeclarationsClient(Channel("admin")).PublishAsync(new PublishRequest { Content = withoutVendor, EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) }, cancellationToken: Ct);
        RpcException error = null!;

        var (provisions, audit) = await Hub.TracesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => vendor.GetCustomerAsync(read, cancellationToken: Ct).ResponseAsync));

        Assert.Equal((StatusCode.PermissionDenied, "party.not-joint-user"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
        var refusal = Assert.Single(provisions);
        Assert.Equal((Garage, Garage, "vendor-broadleaf", ProvisionOutcome.Refused, "party.not-joint-user", 2, v2.Hash), (refusal.Provider, refusal.Recipient, refusal.Agent, refusal.Outcome, refusal.Rule, refusal.DeclarationVersion, refusal.DeclarationHash));
        Assert.Empty(audit);
    }
}
