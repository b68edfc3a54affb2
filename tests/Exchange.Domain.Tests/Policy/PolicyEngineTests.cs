using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;

namespace Exchange.Domain.Tests.Policy;

public sealed class PolicyEngineTests
{
    internal static readonly DeclarationRecord Declaration = new(1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DefaultDeclaration.Kaminoyama());
    private static readonly IReadOnlyList<Grant> Grants = DefaultGrants.Create();
    private static readonly Party Garage = new("garage-a", PartyRole.MemberGarage, PartyStatus.Active, "A", "A");
    private static readonly Party OtherGarage = new("garage-b", PartyRole.MemberGarage, PartyStatus.Active, "B", "B");
    internal static readonly Party Lotus = new("group-lotus", PartyRole.GroupBody, PartyStatus.Active, "L", "L");
    internal static readonly Party Vendor = new("vendor-broadleaf", PartyRole.Vendor, PartyStatus.Active, "V", "V");

    private static PolicyDecision Decide(Party caller, AccessKind kind, string purpose, string[] items, string? owner = "garage-a", bool authorised = false) =>
        PolicyEngine.Decide(new AccessRequest(caller, kind, purpose, items, owner, authorised), Declaration, Grants);

    [Theory]
    [InlineData("marketing", new[] { "contact" }, null)]
    [InlineData("marketing", new[] { "contact.name", "contact.phone" }, null)]
    [InlineData("marketing", new[] { "contact.birth_date" }, PolicyRules.ItemNotGranted)]
    [InlineData("marketing", new[] { "contact.religion" }, PolicyRules.ItemUndeclared)]
    [InlineData("resale", new[] { "contact" }, PolicyRules.PurposeUndeclared)]
    [InlineData("", new[] { "contact" }, PolicyRules.PurposeMissing)]
    [InlineData("statistics", new[] { "vehicle" }, PolicyRules.StatisticsAggregateOnly)]
    [InlineData("recall", new[] { "contact", "vehicle" }, PolicyRules.PurposeNotGranted)]
    [InlineData("management-advice", new[] { "contact" }, PolicyRules.ItemNotGranted)]
    [InlineData("after-sales", new[] { "contact" }, PolicyRules.OwnRecordsOnly)]
    public void Group_body_reads_are_decided_by_declaration_and_grants(string purpose, string[] items, string? rule)
    {
        var decision = Decide(Lotus, AccessKind.Read, purpose, items);

        Assert.Equal(rule, decision.Rule);
        Assert.Equal(rule is null, decision.Permitted);
    }

    [Fact]
    public void Requesting_a_group_yields_only_its_granted_items()
    {
        var decision = Decide(Lotus, AccessKind.Read, "marketing", ["contact"]);

        Assert.Equal(["contact.address", "contact.email", "contact.name", "contact.phone", "contact.replacement_intent"], decision.AllowedItems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Party_under_no_joint_user_of_the_declaration_is_refused_whatever_it_asks()
    {
        var other = new Party("group-other", PartyRole.GroupBody, PartyStatus.Active, "O", "O");
        var otherVendor = new Party("vendor-other", PartyRole.Vendor, PartyStatus.Active, "V", "V");

        Assert.Equal(PolicyRules.PartyNotJointUser, Decide(other, AccessKind.Read, "marketing", ["contact"]).Rule);
        Assert.Equal(PolicyRules.PartyNotJointUser, Decide(other, AccessKind.Aggregate, "statistics", ["cost"]).Rule);
        Assert.Equal(PolicyRules.PartyNotJointUser, Decide(otherVendor, AccessKind.Write, "after-sales", [], authorised: true).Rule);
        Assert.Equal("group-body 'group-other' is not a joint user of declaration version 1 (no group-body joint user names party ID 'group-other'), so it receives nothing", Decide(other, AccessKind.Read, "recall", ["contact"]).Reason);
        Assert.True(Decide(Lotus, AccessKind.Read, "marketing", ["contact"]).Permitted);
    }

    [Fact]
    public void Vendor_has_no_marketing_grant() =>
        Assert.Equal(PolicyRules.PurposeNotGranted, Decide(Vendor, AccessKind.Read, "marketing", ["contact"]).Rule);

    [Fact]
    public void Vendor_acts_for_a_garage_only_with_its_authorisation()
    {
        Assert.Equal(PolicyRules.VendorNotAuthorised, Decide(Vendor, AccessKind.Write, "after-sales", [], authorised: false).Rule);
        Assert.True(Decide(Vendor, AccessKind.Write, "after-sales", [], authorised: true).Permitted);
    }

    [Fact]
    public void Garage_uses_its_own_records_for_after_sales_but_no_one_elses()
    {
        Assert.True(Decide(Garage, AccessKind.Read, "after-sales", ["contact", "repair"]).Permitted);
        Assert.Equal(PolicyRules.OwnRecordsOnly, Decide(OtherGarage, AccessKind.Read, "after-sales", ["contact"]).Rule);
        Assert.Equal(PolicyRules.MemberOwnCustomersOnly, Decide(OtherGarage, AccessKind.Read, "recall", ["contact"]).Rule);
    }

    [Fact]
    public void Writes_are_for_after_sales_only() =>
        Assert.Equal(PolicyRules.WriteAfterSalesOnly, Decide(Garage, AccessKind.Write, "marketing", []).Rule);

    [Fact]
    public void Aggregates_are_for_statistics_only()
    {
        Assert.True(Decide(Lotus, AccessKind.Aggregate, "statistics", ["vehicle.inspection_certificate"], owner: null).Permitted);
        Assert.Equal(PolicyRules.AggregateStatisticsOnly, Decide(Lotus, AccessKind.Aggregate, "marketing", ["contact"], owner: null).Rule);
    }

    [Fact]
    public void Suspended_party_is_refused_whatever_it_asks()
    {
        var suspended = Lotus with { Status = PartyStatus.Suspended };

        Assert.Equal(PolicyRules.PartyInactive, Decide(suspended, AccessKind.Read, "recall", ["contact"]).Rule);
    }

    [Fact]
    public void Item_left_out_of_a_new_declaration_is_refused_even_when_granted()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Items.Remove(content.Items.Single(i => i.Id == "contact.phone"));
        var narrower = new DeclarationRecord(2, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, content);

        var decision = PolicyEngine.Decide(new AccessRequest(Lotus, AccessKind.Read, "marketing", ["contact.phone"], "garage-a", false), narrower, Grants);

        Assert.Equal(PolicyRules.ItemUndeclared, decision.Rule);
    }
}
