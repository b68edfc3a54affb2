using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>The partner registry over real mTLS: parties, their states, vendor authorisations and the audit trail.</summary>
public sealed class PartnersServiceTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";

    private Partners.PartnersClient Partners(string party) => new(Channel(party));

    private Records.RecordsClient Records(string party) => new(Channel(party));

    private static GrantAuthorisationRequest Grant(string vendor, params string[] operations)
    {
        var request = new GrantAuthorisationRequest { VendorParty = vendor };
        request.Operations.AddRange(operations);
        return request;
    }

    [Fact]
    public async Task Administrator_registers_a_party_and_finds_it_listed_with_its_spiffe_id()
    {
        var admin = Partners("admin");

        var added = await admin.AddPartyAsync(new AddPartyRequest { PartyId = "garage-zao", Role = "member-garage", NameJa = " 株式会社蔵王自動車 ", NameEn = "Zao Motors Co., Ltd.", Contact = "佐藤 023-000-0000" }, cancellationToken: Ct);

        Assert.Equal(("garage-zao", "member-garage", PartyState.Active, "株式会社蔵王自動車", "spiffe://exchange.local/party/garage-zao"), (added.PartyId, added.Role, added.State, added.NameJa, added.SpiffeId));
        var garages = await admin.ListPartiesAsync(new ListPartiesRequest { Role = "member-garage" }, cancellationToken: Ct);
        Assert.Equal(["garage-kaminoyama", "garage-zao"], garages.Parties.Select(p => p.PartyId));
        var all = await admin.ListPartiesAsync(new ListPartiesRequest(), cancellationToken: Ct);
        Assert.Equal(5, all.Parties.Count);
        Assert.Equal("佐藤 023-000-0000", (await admin.GetPartyAsync(new GetPartyRequest { PartyId = "garage-zao" }, cancellationToken: Ct)).Contact);
        var audit = await new HubAudit.HubAuditClient(Channel("admin")).ListEventsAsync(new ListAuditEventsRequest { Subject = "garage-zao" }, cancellationToken: Ct);
        Assert.Equal(("party.added", "admin"), (audit.Events.Single().Action, audit.Events.Single().Actor));
    }

    [Theory]
    [InlineData("Garage-Upper", "member-garage", "Zao", StatusCode.InvalidArgument, "party_id")]
    [InlineData("garage-zao", "dealer", "Zao", StatusCode.InvalidArgument, "role 'dealer'")]
    [InlineData("garage-zao", "member-garage", "", StatusCode.InvalidArgument, "name_en is required")]
    [InlineData("garage-kaminoyama", "member-garage", "Zao", StatusCode.AlreadyExists, "already registered")]
    public async Task Bad_party_registrations_are_refused_precisely(string id, string role, string nameEn, StatusCode code, string message)
    {
        var error = await Refusals.FailsAsync(() => Partners("admin").AddPartyAsync(new AddPartyRequest { PartyId = id, Role = role, NameJa = "蔵王", NameEn = nameEn }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_party_reads_itself_but_not_others_and_an_administrator_cannot_lock_itself_out()
    {
        Assert.Equal(Garage, (await Partners(Garage).GetPartyAsync(new GetPartyRequest { PartyId = Garage }, cancellationToken: Ct)).PartyId);
        var other = await Refusals.FailsAsync(() => Partners(Garage).GetPartyAsync(new GetPartyRequest { PartyId = Vendor }, cancellationToken: Ct).ResponseAsync);
        var self = await Refusals.FailsAsync(() => Partners("admin").SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "admin" }, cancellationToken: Ct).ResponseAsync);
        var missing = await Refusals.FailsAsync(() => Partners("admin").SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "garage-nobody" }, cancellationToken: Ct).ResponseAsync);
        var active = await Refusals.FailsAsync(() => Partners("admin").ReactivatePartyAsync(new ChangePartyStateRequest { PartyId = Garage }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, self.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, active.StatusCode);
        Assert.Contains("already active", active.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vendor_authorised_by_the_garage_writes_and_reads_its_records_and_the_log_names_the_vendor_as_agent()
    {
        var authorisation = await Partners(Garage).GrantAuthorisationAsync(Grant(Vendor, "write", "read"), cancellationToken: Ct);
        Assert.Equal((Garage, Vendor, true, Garage), (authorisation.GarageParty, authorisation.VendorParty, authorisation.Current, authorisation.RecordedBy));
        Assert.Equal(["read", "write"], authorisation.Operations);
        var record = Sample.Customer("C700");
        record.OwnerParty = Garage;
        var vendor = Records(Vendor);

        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            var written = await vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
            Assert.True(written.Created);
            var read = await vendor.GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "C700", Items = { "contact" } }, cancellationToken: Ct);
            Assert.Equal(record.Contact.Name, read.Record.Contact.Name);
        });

        Assert.Equal(2, entries.Count);
        Assert.Equal((ProvisionOutcome.Received, Garage, "hub", Vendor), (entries[0].Outcome, entries[0].Provider, entries[0].Recipient, entries[0].Agent));
        Assert.Equal((ProvisionOutcome.Provided, Garage, Garage, Vendor), (entries[1].Outcome, entries[1].Provider, entries[1].Recipient, entries[1].Agent));
        var theGarageSees = await Partners(Garage).ListAuthorisationsAsync(new ListAuthorisationsRequest(), cancellationToken: Ct);
        var theVendorSees = await Partners(Vendor).ListAuthorisationsAsync(new ListAuthorisationsRequest(), cancellationToken: Ct);
        Assert.Equal([authorisation.AuthorisationId], theGarageSees.Authorisations.Select(a => a.AuthorisationId));
        Assert.Equal([authorisation.AuthorisationId], theVendorSees.Authorisations.Select(a => a.AuthorisationId));
    }

    [Fact]
    public async Task Read_only_authorisation_does_not_cover_writing()
    {
        await Partners("admin").GrantAuthorisationAsync(new GrantAuthorisationRequest { GarageParty = Garage, VendorParty = Vendor, Operations = { "read" } }, cancellationToken: Ct);
        var record = Sample.Customer("C701");
        record.OwnerParty = Garage;

        var error = await Refusals.FailsAsync(() => Records(Vendor).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("vendor.not-authorised", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoked_authorisation_refuses_the_vendors_next_call_and_the_refusal_is_logged()
    {
        var authorisation = await Partners(Garage).GrantAuthorisationAsync(Grant(Vendor, "write"), cancellationToken: Ct);
        var record = Sample.Customer("C702");
        record.OwnerParty = Garage;
        var vendor = Records(Vendor);
        await vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);

        var revoked = await Partners(Garage).RevokeAuthorisationAsync(new RevokeAuthorisationRequest { AuthorisationId = authorisation.AuthorisationId }, cancellationToken: Ct);

        Assert.Equal((false, Garage), (revoked.Current, revoked.RevokedBy));
        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            var error = await Refusals.FailsAsync(() => vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        });
        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Refused, "vendor.not-authorised", Garage, Vendor), (entry.Outcome, entry.Rule, entry.Provider, entry.Agent));
        var again = await Refusals.FailsAsync(() => Partners(Garage).RevokeAuthorisationAsync(new RevokeAuthorisationRequest { AuthorisationId = authorisation.AuthorisationId }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        var ended = await Partners(Garage).ListAuthorisationsAsync(new ListAuthorisationsRequest { IncludeEnded = true }, cancellationToken: Ct);
        Assert.Single(ended.Authorisations);
        Assert.Empty((await Partners(Garage).ListAuthorisationsAsync(new ListAuthorisationsRequest(), cancellationToken: Ct)).Authorisations);
    }

    [Fact]
    public async Task Suspending_the_garage_makes_its_vendor_authorisations_cover_nothing()
    {
        await Partners(Garage).GrantAuthorisationAsync(Grant(Vendor, "write", "read"), cancellationToken: Ct);
        await Partners("admin").SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Garage }, cancellationToken: Ct);
        var record = Sample.Customer("C703");
        record.OwnerParty = Garage;

        var error = await Refusals.FailsAsync(() => Records(Vendor).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("vendor.not-authorised", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_garage_itself_or_an_administrator_authorises_and_only_garages_authorise_vendors()
    {
        var byVendor = await Refusals.FailsAsync(() => Partners(Vendor).GrantAuthorisationAsync(new GrantAuthorisationRequest { GarageParty = Garage, VendorParty = Vendor, Operations = { "write" } }, cancellationToken: Ct).ResponseAsync);
        var byGroup = await Refusals.FailsAsync(() => Partners("group-lotus").GrantAuthorisationAsync(Grant(Vendor, "read"), cancellationToken: Ct).ResponseAsync);
        var toNonVendor = await Refusals.FailsAsync(() => Partners(Garage).GrantAuthorisationAsync(Grant("group-lotus", "read"), cancellationToken: Ct).ResponseAsync);
        var noOperation = await Refusals.FailsAsync(() => Partners(Garage).GrantAuthorisationAsync(Grant(Vendor), cancellationToken: Ct).ResponseAsync);
        var unknownOperation = await Refusals.FailsAsync(() => Partners(Garage).GrantAuthorisationAsync(Grant(Vendor, "delete"), cancellationToken: Ct).ResponseAsync);
        var past = await Refusals.FailsAsync(() => Partners(Garage).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read" }, ValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)) }, cancellationToken: Ct).ResponseAsync);
        var groupLists = await Refusals.FailsAsync(() => Partners("group-lotus").ListAuthorisationsAsync(new ListAuthorisationsRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.PermissionDenied, "authorisation.garage-only"), (byVendor.StatusCode, byVendor.Trailers.GetValue("exchange-rule")));
        Assert.Equal(StatusCode.PermissionDenied, byGroup.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, toNonVendor.StatusCode);
        Assert.Contains("not a vendor", toNonVendor.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, noOperation.StatusCode);
        Assert.Contains("'delete'", unknownOperation.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, past.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, groupLists.StatusCode);
    }

    [Fact]
    public async Task Authorisation_that_has_not_begun_covers_nothing_yet()
    {
        var from = DateTimeOffset.UtcNow.AddDays(1);
        var future = await Partners(Garage).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "write" }, ValidFrom = Timestamp.FromDateTimeOffset(from) }, cancellationToken: Ct);
        var record = Sample.Customer("C704");
        record.OwnerParty = Garage;

        var error = await Refusals.FailsAsync(() => Records(Vendor).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);

        Assert.False(future.Current);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Every_registry_change_is_in_the_audit_trail_newest_first()
    {
        var admin = Partners("admin");
        await admin.AddPartyAsync(new AddPartyRequest { PartyId = "vendor-new", Role = "vendor", NameJa = "新ベンダー", NameEn = "New Vendor" }, cancellationToken: Ct);
        var granted = await admin.GrantAuthorisationAsync(new GrantAuthorisationRequest { GarageParty = Garage, VendorParty = "vendor-new", Operations = { "read" } }, cancellationToken: Ct);
        await admin.SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "vendor-new", Reason = "audit pending" }, cancellationToken: Ct);
        await admin.ReactivatePartyAsync(new ChangePartyStateRequest { PartyId = "vendor-new" }, cancellationToken: Ct);
        await admin.WithdrawPartyAsync(new ChangePartyStateRequest { PartyId = "vendor-new", Reason = "left" }, cancellationToken: Ct);
        var audit = new HubAudit.HubAuditClient(Channel("admin"));

        var events = await audit.ListEventsAsync(new ListAuditEventsRequest { ActionPrefix = "party." }, cancellationToken: Ct);
        var authorisationEvents = await audit.ListEventsAsync(new ListAuditEventsRequest { Subject = $"authorisation/{granted.AuthorisationId}" }, cancellationToken: Ct);
        var page = await audit.ListEventsAsync(new ListAuditEventsRequest { Limit = 2 }, cancellationToken: Ct);
        var before = await audit.ListEventsAsync(new ListAuditEventsRequest { Limit = 2, BeforeSequence = page.Events[^1].Sequence }, cancellationToken: Ct);
        var negative = await Refusals.FailsAsync(() => audit.ListEventsAsync(new ListAuditEventsRequest { Limit = -1 }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(["party.withdrawn", "party.reactivated", "party.suspended", "party.added"], events.Events.Select(e => e.Action));
        Assert.Equal("audit pending", events.Events[2].Details);
        Assert.Equal(["authorisation.revoked", "authorisation.granted"], authorisationEvents.Events.Select(e => e.Action));
        Assert.Contains("withdrew", authorisationEvents.Events[0].Details, StringComparison.Ordinal);
        Assert.Equal(2, page.Events.Count);
        Assert.True(before.Events.All(e => e.Sequence < page.Events[^1].Sequence));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
    }
}
