using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class MiscCommandsTests : CliScenario
{
    [Fact]
    public async Task Ping_names_the_party_the_hub_reads_from_the_certificate()
    {
        var run = (await RunAsAsync("group-lotus", "ping", "-o", "json")).Expect(0);

        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("spiffe://exchange.local/party/group-lotus", json.RootElement.GetProperty("caller").GetString());
    }

    [Fact]
    public async Task Audit_shows_registry_changes_newest_first_and_filters_by_subject_and_action()
    {
        (await RunAsync("party", "add", "vendor-new", "--role", "vendor", "--name-ja", "新ベンダー", "--name-en", "New Vendor")).Expect(0);
        (await RunAsync("party", "suspend", "vendor-new", "--reason", "under review")).Expect(0);

        var all = (await RunAsync("audit", "--limit", "2")).Expect(0);
        var bySubject = (await RunAsync("audit", "--subject", "vendor-new", "--action", "party.suspended", "-o", "json")).Expect(0);
        var refused = (await RunAsAsync("vendor-broadleaf", "audit")).Expect(4);

        var rows = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.Contains("party.suspended", rows[1], StringComparison.Ordinal);
        Assert.Contains("party.added", rows[2], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(bySubject.Out);
        var e = Assert.Single(json.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal(("admin", "under review"), (e.GetProperty("actor").GetString(), e.GetProperty("details").GetString()));
        Assert.Contains("PERMISSION_DENIED", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_shows_grant_changes_with_their_items_before_and_after_and_its_help_names_them()
    {
        using var admin = Hub.Channel("admin");
        await new Exchange.Contracts.V1.Grants.GrantsClient(admin).SetGrantAsync(new Exchange.Contracts.V1.Grant { PartyId = "vendor-broadleaf", Purpose = "marketing", Items = { "contact.name" } }, cancellationToken: Ct);

        var table = (await RunAsync("audit", "--action", "grant.")).Expect(0);
        var bySubject = (await RunAsync("audit", "--subject", "grant/party/vendor-broadleaf/marketing", "-o", "json")).Expect(0);
        var help = (await RunAsync("audit", "--help")).Expect(0);

        var rows = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rows.Length);
        Assert.Contains("grant.set", rows[1], StringComparison.Ordinal);
        Assert.EndsWith("party vendor-broadleaf, purpose marketing; before: none; after: contact.name; added: contact.name; removed: none", rows[1].TrimEnd(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(bySubject.Out);
        var e = Assert.Single(json.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal(("admin", "grant.set"), (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString()));
        Assert.Contains("grant changes, declaration publications and relayed opt-outs", help.Out, StringComparison.Ordinal);
        Assert.Contains("declaration/<n>", help.Out, StringComparison.Ordinal);
    }
}
