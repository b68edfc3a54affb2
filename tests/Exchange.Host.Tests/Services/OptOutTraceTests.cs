using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// A person's opt-out and its withdrawal leave an entry in the person's provision-log record and an
/// event in the hub's audit log (under the subject ID, never the customer reference), and the owning
/// garage can read the opt-outs in force. Each test has customers of its own.
/// </summary>
public sealed class OptOutTraceTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string Garage = "garage-kaminoyama";
    private const string Broadleaf = "vendor-broadleaf";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub;

    private async Task<string> WriteCustomerAsync(string customerRef)
    {
        using var channel = Hub.Channel(Garage);
        return (await new Records.RecordsClient(channel).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct)).SubjectId;
    }

    private static SetOptOutRequest OptOut(string customerRef, string purpose, bool optedOut) =>
        new() { OwnerParty = Garage, CustomerRef = customerRef, Purpose = purpose, OptedOut = optedOut };

    [Fact]
    public async Task Garage_relaying_an_opt_out_and_its_withdrawal_records_each_in_the_persons_report_and_the_audit_log_under_the_subject_id()
    {
        var subject = await WriteCustomerAsync("OPT-A001");
        using var channel = Hub.Channel(Garage);
        var garage = new Records.RecordsClient(channel);
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            Assert.Equal(subject, (await garage.SetOptOutAsync(OptOut("OPT-A001", "marketing", true), cancellationToken: Ct)).SubjectId);
            Assert.Equal(subject, (await garage.SetOptOutAsync(OptOut("OPT-A001", "marketing", false), cancellationToken: Ct)).SubjectId);
        });

        using var admin = Hub.Channel("admin");
        var declaration = await new Declarations.DeclarationsClient(admin).GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct);
        Assert.Equal([ProvisionOutcome.OptedOut, ProvisionOutcome.OptOutWithdrawn], entries.Select(e => e.Outcome));
        Assert.All(entries, e =>
        {
            Assert.Equal((Garage, "hub", null, subject, "marketing", null), (e.Provider, e.Recipient, e.Agent, e.SubjectId, e.Purpose, e.Rule));
            Assert.Empty(e.Items);
            Assert.Equal((declaration.Version, declaration.Hash), (e.DeclarationVersion, e.DeclarationHash));
            Assert.InRange(e.Time, start, DateTimeOffset.UtcNow.AddSeconds(1));
        });
        Assert.NotEqual(entries[0].CallId, entries[1].CallId);

        // The person's report (their disclosure request) shows when they opted out and who relayed it.
        var report = (await new ProvisionLog.ProvisionLogClient(channel).ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = Garage, CustomerRef = "OPT-A001" }, cancellationToken: Ct)).Entries;
        Assert.Equal(
            [(ProvisionOutcome.Received, Garage, "after-sales"), (ProvisionOutcome.OptedOut, Garage, "marketing"), (ProvisionOutcome.OptOutWithdrawn, Garage, "marketing")],
            report.Select(e => (e.Outcome, e.Provider, e.Purpose)));

        Assert.Equal(
            [
                (Garage, "opt-out.recorded", subject, $"purpose marketing; before: not opted out; after: opted out; customer of {Garage}; provision-log entry {report[1].Sequence}"),
                (Garage, "opt-out.withdrawn", subject, $"purpose marketing; before: opted out; after: not opted out; customer of {Garage}; provision-log entry {report[2].Sequence}"),
            ],
            events.Select(e => (e.Actor, e.Action, e.Subject, e.Details)));
        Assert.Equal(entries.Select(e => AuditTime.Format(e.Time)), events.Select(e => AuditTime.Format(e.Time)));
        Assert.DoesNotContain(events, e => e.Details.Contains("OPT-A001", StringComparison.Ordinal) || e.Subject.Contains("OPT-A001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Vendor_relaying_an_opt_out_for_the_garage_is_named_as_its_agent()
    {
        var subject = await WriteCustomerAsync("OPT-B001");
        using var garageChannel = Hub.Channel(Garage);
        await new Partners.PartnersClient(garageChannel).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Broadleaf, Operations = { "write" } }, cancellationToken: Ct);
        using var channel = Hub.Channel(Broadleaf);

        var (entries, events) = await Hub.TracesDuringAsync(() => new Records.RecordsClient(channel).SetOptOutAsync(OptOut("OPT-B001", "service-planning", true), cancellationToken: Ct).ResponseAsync);

        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.OptedOut, Garage, "hub", Broadleaf, subject, "service-planning"), (entry.Outcome, entry.Provider, entry.Recipient, entry.Agent, entry.SubjectId, entry.Purpose));
        var recorded = Assert.Single(events);
        Assert.Equal((Broadleaf, "opt-out.recorded", subject), (recorded.Actor, recorded.Action, recorded.Subject));
        Assert.StartsWith($"purpose service-planning; before: not opted out; after: opted out; customer of {Garage}, relayed by {Broadleaf} for it; provision-log entry ", recorded.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_relay_that_changes_the_persons_state_is_recorded_not_a_repeated_or_refused_one()
    {
        var subject = await WriteCustomerAsync("OPT-C001");
        using var garageChannel = Hub.Channel(Garage);
        using var lotusChannel = Hub.Channel("group-lotus");
        var garage = new Records.RecordsClient(garageChannel);

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            await garage.SetOptOutAsync(OptOut("OPT-C001", "marketing", true), cancellationToken: Ct);
            await garage.SetOptOutAsync(OptOut("OPT-C001", "marketing", true), cancellationToken: Ct);
            await garage.SetOptOutAsync(OptOut("OPT-C001", "statistics", false), cancellationToken: Ct);
            var refused = await Refusals.FailsAsync(() => new Records.RecordsClient(lotusChannel).SetOptOutAsync(OptOut("OPT-C001", "marketing", false), cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        });

        // Only the first relay changed anything.
        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.OptedOut, subject, "marketing"), (entry.Outcome, entry.SubjectId, entry.Purpose));
        var recorded = Assert.Single(events);
        Assert.Equal(("opt-out.recorded", subject), (recorded.Action, recorded.Subject));
    }

    [Fact]
    public async Task Owning_garage_and_administrators_read_the_opt_outs_in_force_and_reading_them_leaves_no_trace()
    {
        var subject = await WriteCustomerAsync("OPT-D001");
        using var garageChannel = Hub.Channel(Garage);
        var garage = new Records.RecordsClient(garageChannel);
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        await garage.SetOptOutAsync(OptOut("OPT-D001", "statistics", true), cancellationToken: Ct);
        await garage.SetOptOutAsync(OptOut("OPT-D001", "marketing", true), cancellationToken: Ct);
        await garage.SetOptOutAsync(OptOut("OPT-D001", "statistics", false), cancellationToken: Ct);
        var end = DateTimeOffset.UtcNow.AddSeconds(1);
        using var adminChannel = Hub.Channel("admin");
        using var lotusChannel = Hub.Channel("group-lotus");
        using var vendorChannel = Hub.Channel(Broadleaf);
        var request = new GetOptOutsRequest { OwnerParty = Garage, CustomerRef = "OPT-D001" };
        var replies = new List<GetOptOutsResponse>();

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            replies.Add(await garage.GetOptOutsAsync(request, cancellationToken: Ct));
            replies.Add(await new Records.RecordsClient(adminChannel).GetOptOutsAsync(request, cancellationToken: Ct));
            var lotus = await Refusals.FailsAsync(() => new Records.RecordsClient(lotusChannel).GetOptOutsAsync(request, cancellationToken: Ct).ResponseAsync);
            var vendor = await Refusals.FailsAsync(() => new Records.RecordsClient(vendorChannel).GetOptOutsAsync(request, cancellationToken: Ct).ResponseAsync);
            var malformed = await Refusals.FailsAsync(() => garage.GetOptOutsAsync(new GetOptOutsRequest { OwnerParty = Garage, CustomerRef = " OPT-D001" }, cancellationToken: Ct).ResponseAsync);
            var unknown = await Refusals.FailsAsync(() => garage.GetOptOutsAsync(new GetOptOutsRequest { OwnerParty = Garage, CustomerRef = "OPT-NONE" }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(
                (StatusCode.PermissionDenied, StatusCode.PermissionDenied, StatusCode.InvalidArgument, StatusCode.NotFound),
                (lotus.StatusCode, vendor.StatusCode, malformed.StatusCode, unknown.StatusCode));
            Assert.Equal("after-sales.own-records-only", lotus.Trailers.GetValue("exchange-rule"));
        });

        Assert.Empty(entries);
        Assert.Empty(events);
        Assert.Equal(replies[0], replies[1]);
        Assert.Equal(subject, replies[0].SubjectId);
        var optOut = Assert.Single(replies[0].OptOuts);
        Assert.Equal("marketing", optOut.Purpose);
        Assert.InRange(optOut.Since.ToDateTimeOffset(), start, end);
    }
}
