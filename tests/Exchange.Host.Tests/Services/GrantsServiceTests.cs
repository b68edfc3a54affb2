using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

public sealed class GrantsServiceTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        await new Records.RecordsClient(_hub.Channel("garage-kaminoyama")).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    private Grants.GrantsClient Admin => new(_hub.Channel("admin"));

    private Task<GetCustomerResponse> VendorReadsForMarketingAsync() =>
        new Records.RecordsClient(_hub.Channel("vendor-broadleaf")).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync;

    [Fact]
    public async Task Defaults_follow_the_declaration_and_roles()
    {
        var grants = (await Admin.ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct)).Grants;

        Assert.Contains(grants, g => g.Role == "group-body" && g.Purpose == "marketing" && g.Items.Contains("contact.phone"));
        Assert.Contains(grants, g => g.Role == "vendor" && g.Purpose == "statistics" && !g.Items.Any(i => i.StartsWith("contact.", StringComparison.Ordinal)));
        Assert.DoesNotContain(grants, g => g.Role == "vendor" && g.Purpose == "marketing");
    }

    [Fact]
    public async Task Party_grant_takes_effect_on_the_next_call_and_its_removal_too()
    {
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(VendorReadsForMarketingAsync)).StatusCode);

        await Admin.SetGrantAsync(new Grant { PartyId = "vendor-broadleaf", Purpose = "marketing", Items = { "contact.name" } }, cancellationToken: Ct);
        var reply = await VendorReadsForMarketingAsync();
        Assert.Equal(["contact.name"], reply.Items);
        Assert.Equal("", reply.Record.Contact.Phone);

        var removed = await Admin.RemoveGrantAsync(new RemoveGrantRequest { PartyId = "vendor-broadleaf", Purpose = "marketing" }, cancellationToken: Ct);
        Assert.True(removed.Removed);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(VendorReadsForMarketingAsync)).StatusCode);
    }

    [Theory]
    [InlineData("contact.religion")]
    [InlineData("")]
    public async Task Grant_of_an_unknown_item_is_refused(string item)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Admin.SetGrantAsync(new Grant { Role = "vendor", Purpose = "marketing", Items = { item } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Theory]
    [InlineData("vendor", "market ing")]
    [InlineData("vendor", "Marketing")]
    [InlineData(null, "marketing")]
    public async Task Grant_naming_a_malformed_purpose_or_party_is_refused_and_changes_nothing(string? role, string purpose)
    {
        var grant = role is null ? new Grant { PartyId = "Vendor Broadleaf", Purpose = purpose, Items = { "contact.name" } } : new Grant { Role = role, Purpose = purpose, Items = { "contact.name" } };
        var before = await Admin.ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => Admin.SetGrantAsync(grant, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(before, await Admin.ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct));
    }

    [Fact]
    public async Task Only_administrators_manage_grants()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => new Grants.GrantsClient(_hub.Channel("group-lotus")).SetGrantAsync(new Grant { Role = "group-body", Purpose = "marketing", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("role.administrator-only", error.Status.Detail, StringComparison.Ordinal);
    }
}
