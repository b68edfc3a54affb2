using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class PartyCommandsTests : CliScenario
{
    [Fact]
    public async Task Administrator_adds_a_garage_and_finds_it_in_the_table_and_the_json_listing()
    {
        var added = (await RunAsync("party", "add", "garage-zao", "--role", "member-garage", "--name-ja", "株式会社蔵王自動車", "--name-en", "Zao Motors Co., Ltd.", "--contact", "佐藤 023-000-0000")).Expect(0);
        var table = (await RunAsync("party", "list", "--role", "member-garage")).Expect(0);
        var json = (await RunAsync("party", "list", "--output", "json")).Expect(0);

        Assert.Equal("spiffe://exchange.local/party/garage-zao", added.Field("spiffe id"));
        Assert.Contains("exchange cert request --party garage-zao", added.Error, StringComparison.Ordinal);
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("PARTY", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("garage-zao ", StringComparison.Ordinal) && l.Contains("active", StringComparison.Ordinal) && l.EndsWith("株式会社蔵王自動車", StringComparison.Ordinal));
        Assert.Equal(3, lines.Length);
        using var document = JsonDocument.Parse(json.Out);
        var parties = document.RootElement.GetProperty("parties").EnumerateArray().ToList();
        Assert.Equal(5, parties.Count);
        Assert.Contains(parties, p => p.GetProperty("partyId").GetString() == "garage-zao" && p.GetProperty("state").GetString() == "PARTY_STATE_ACTIVE");
    }

    [Fact]
    public async Task A_party_that_is_not_an_administrator_is_refused_with_4()
    {
        var run = (await RunAsAsync("garage-kaminoyama", "party", "add", "garage-zao", "--role", "member-garage", "--name-ja", "蔵王", "--name-en", "Zao")).Expect(4);

        Assert.Contains("the hub refused: PERMISSION_DENIED: administrators only", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflicts_and_unknown_parties_have_their_own_exit_codes()
    {
        var duplicate = (await RunAsync("party", "add", "garage-kaminoyama", "--role", "member-garage", "--name-ja", "上山", "--name-en", "Kaminoyama")).Expect(6);
        var unknown = (await RunAsync("party", "show", "garage-nobody")).Expect(5);
        var invalid = (await RunAsync("party", "add", "Garage Zao", "--role", "member-garage", "--name-ja", "蔵王", "--name-en", "Zao")).Expect(2);

        Assert.Contains("ALREADY_EXISTS", duplicate.Error, StringComparison.Ordinal);
        Assert.Contains("NOT_FOUND: party 'garage-nobody' is not registered", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("INVALID_ARGUMENT", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suspended_party_is_refused_until_reactivated()
    {
        (await RunAsync("party", "suspend", "group-lotus", "--reason", "membership fee unpaid")).Expect(0);
        var refused = (await RunAsAsync("group-lotus", "ping")).Expect(4);
        var shown = (await RunAsync("party", "show", "group-lotus")).Expect(0);
        (await RunAsync("party", "reactivate", "group-lotus")).Expect(0);
        (await RunAsAsync("group-lotus", "ping")).Expect(0);

        Assert.Contains("party 'group-lotus' is suspended (rule party.inactive)", refused.Error, StringComparison.Ordinal);
        Assert.Equal("suspended", shown.Field("state"));
    }

    [Fact]
    public async Task Withdrawal_asks_for_confirmation_and_then_revokes_the_partys_certificates()
    {
        var unconfirmed = (await RunAsync("party", "withdraw", "vendor-broadleaf")).Expect(2);
        (await RunAsAsync("vendor-broadleaf", "ping")).Expect(0);
        (await RunAsync("party", "withdraw", "vendor-broadleaf", "--yes", "--reason", "contract ended")).Expect(0);
        var refused = (await RunAsAsync("vendor-broadleaf", "ping")).Expect(3);

        Assert.Contains("--yes", unconfirmed.Error, StringComparison.Ordinal);
        Assert.Contains("closed the connection", refused.Error, StringComparison.Ordinal);
    }
}
