using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class AuthorizeCommandsTests : CliScenario
{
    [Fact]
    public async Task Garage_authorises_its_vendor_both_see_it_and_the_garage_revokes_it()
    {
        var granted = (await RunAsAsync("garage-kaminoyama", "authorize", "--vendor", "vendor-broadleaf", "--operations", "read,write", "--until", "2099-12-31", "--output", "json")).Expect(0);
        using var json = JsonDocument.Parse(granted.Out);
        var id = json.RootElement.GetProperty("authorisationId").GetString()!;

        var seenByVendor = (await RunAsAsync("vendor-broadleaf", "authorize", "list")).Expect(0);
        var revoked = (await RunAsAsync("garage-kaminoyama", "authorize", "revoke", id)).Expect(0);
        var current = (await RunAsAsync("garage-kaminoyama", "authorize", "list")).Expect(0);
        var history = (await RunAsync("authorize", "list", "--garage", "garage-kaminoyama", "--all")).Expect(0);

        Assert.Equal(["read", "write"], json.RootElement.GetProperty("operations").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal("2099-12-31T00:00:00Z", json.RootElement.GetProperty("validUntil").GetString());
        Assert.Contains("garage-kaminoyama  vendor-broadleaf  read,write", seenByVendor.Out, StringComparison.Ordinal);
        Assert.EndsWith("by garage-kaminoyama", revoked.Field("revoked"), StringComparison.Ordinal);
        Assert.Empty(current.Out);
        Assert.Contains($"{id}   garage-kaminoyama", history.Out, StringComparison.Ordinal);
        Assert.EndsWith("no", history.Out.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Administrator_records_an_authorisation_for_a_named_garage()
    {
        var run = (await RunAsync("authorize", "--garage", "garage-kaminoyama", "--vendor", "vendor-broadleaf", "--operations", "read")).Expect(0);

        Assert.Equal("admin", run.Field("recorded by"));
        Assert.Equal("until revoked", run.Field("until"));
    }

    [Theory]
    [InlineData(2, "name the vendor", "authorize", "--operations", "read")]
    [InlineData(2, "name the vendor", "authorize", "--vendor", "vendor-broadleaf")]
    [InlineData(2, "not an ISO 8601", "authorize", "--vendor", "vendor-broadleaf", "--operations", "read", "--until", "next tuesday")]
    [InlineData(2, "INVALID_ARGUMENT: operation 'delete'", "authorize", "--vendor", "vendor-broadleaf", "--operations", "read,delete")]
    [InlineData(4, "authorisation.garage-only", "authorize", "--garage", "garage-kaminoyama", "--vendor", "vendor-broadleaf", "--operations", "read")]
    public async Task Authorisations_that_cannot_be_given_are_refused_precisely(int exitCode, string message, params string[] args)
    {
        var run = (await RunAsAsync(exitCode == 4 ? "vendor-broadleaf" : "garage-kaminoyama", args)).Expect(exitCode);

        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }
}
