using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>Every change to a grant leaves a trace in the hub's audit log, with the items before and after; nothing else does.</summary>
public sealed class GrantChangeTraceTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub;

    [Fact]
    public async Task Setting_and_changing_a_party_grant_records_the_items_before_and_after_and_setting_the_same_items_again_or_a_refused_change_records_nothing()
    {
        using var channel = Hub.Channel("admin");
        using var lotus = Hub.Channel("group-lotus");
        var admin = new Grants.GrantsClient(channel);
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            await admin.SetGrantAsync(new Grant { PartyId = "vendor-broadleaf", Purpose = "marketing", Items = { "contact.name" } }, cancellationToken: Ct);
            await admin.SetGrantAsync(new Grant { PartyId = "vendor-broadleaf", Purpose = "marketing", Items = { "contact.phone", "contact.name" } }, cancellationToken: Ct);
            await admin.SetGrantAsync(new Grant { PartyId = "vendor-broadleaf", Purpose = "marketing", Items = { "contact.name", "contact.phone" } }, cancellationToken: Ct);
            var refused = await Refusals.FailsAsync(() => new Grants.GrantsClient(lotus).SetGrantAsync(new Grant { Role = "group-body", Purpose = "statistics", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        });

        Assert.Empty(entries);
        Assert.Equal(
            [
                ("admin", "grant.set", "grant/party/vendor-broadleaf/marketing", "party vendor-broadleaf, purpose marketing; before: none; after: contact.name; added: contact.name; removed: none"),
                ("admin", "grant.set", "grant/party/vendor-broadleaf/marketing", "party vendor-broadleaf, purpose marketing; before: contact.name; after: contact.name, contact.phone; added: contact.phone; removed: none"),
            ],
            events.Select(e => (e.Actor, e.Action, e.Subject, e.Details)));
        Assert.All(events, e => Assert.InRange(e.Time, start, DateTimeOffset.UtcNow.AddSeconds(1)));
    }

    [Fact]
    public async Task Removing_a_role_grant_records_the_items_it_held_and_removing_it_again_records_nothing()
    {
        using var channel = Hub.Channel("admin");
        var admin = new Grants.GrantsClient(channel);
        var removed = new List<bool>();

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            removed.Add((await admin.RemoveGrantAsync(new RemoveGrantRequest { Role = "group-body", Purpose = "management-advice" }, cancellationToken: Ct)).Removed);
            removed.Add((await admin.RemoveGrantAsync(new RemoveGrantRequest { Role = "group-body", Purpose = "management-advice" }, cancellationToken: Ct)).Removed);
        });

        Assert.Equal([true, false], removed);
        Assert.Empty(entries);
        var removal = Assert.Single(events);
        Assert.Equal(("admin", "grant.removed", "grant/role/group-body/management-advice"), (removal.Actor, removal.Action, removal.Subject));
        Assert.Equal(
            "role group-body, purpose management-advice; before: cost.billed_amount, cost.estimate_date, cost.sales_date, repair.parts, repair.work, vehicle.entry_date; after: none; added: none; "
            + "removed: cost.billed_amount, cost.estimate_date, cost.sales_date, repair.parts, repair.work, vehicle.entry_date",
            removal.Details);
    }
}
