using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;

namespace Exchange.Domain.Tests.Policy;

public sealed class PolicyDecisionsTests
{
    private static readonly DeclarationRecord Declaration = PolicyEngineTests.Declaration;
    private static readonly Party Lotus = PolicyEngineTests.Lotus;
    private static readonly Party Vendor = PolicyEngineTests.Vendor;

    private static AccessRequest Read(Party caller, string purpose, params string[] items) => new(caller, AccessKind.Read, purpose, items, "garage-a", false);

    [Theory]
    [InlineData("group-lotus", "marketing", "contact")]
    [InlineData("group-lotus", "marketing", "contact.birth_date")]
    [InlineData("group-lotus", "recall", "contact", "vehicle")]
    [InlineData("vendor-broadleaf", "marketing", "contact")]
    [InlineData("group-lotus", "resale", "contact")]
    public void A_remembered_decision_is_the_engines_decision(string caller, string purpose, params string[] items)
    {
        var decisions = new PolicyDecisions();
        var grants = DefaultGrants.Create();
        var request = Read(caller == Lotus.Id ? Lotus : Vendor, purpose, items);
        var engine = PolicyEngine.Decide(request, Declaration, grants);

        var first = decisions.Decide(request, Declaration, grants);
        var second = decisions.Decide(request with { RequestedItems = [.. items] }, Declaration, grants);

        Assert.Same(first, second);
        Assert.Equal((engine.Permitted, engine.Rule, engine.Reason), (first.Permitted, first.Rule, first.Reason));
        Assert.Equal(engine.AllowedItems.Order(StringComparer.Ordinal), first.AllowedItems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Other_grants_are_decided_afresh()
    {
        var decisions = new PolicyDecisions();
        var request = Read(Lotus, "marketing", "contact");
        Assert.True(decisions.Decide(request, Declaration, DefaultGrants.Create()).Permitted);

        var withoutMarketing = DefaultGrants.Create().Where(g => g.Purpose != "marketing").ToList();

        Assert.Equal(PolicyRules.PurposeNotGranted, decisions.Decide(request, Declaration, withoutMarketing).Rule);
    }

    [Fact]
    public void Other_callers_and_items_get_decisions_of_their_own()
    {
        var decisions = new PolicyDecisions();
        var grants = DefaultGrants.Create();
        Assert.True(decisions.Decide(Read(Lotus, "marketing", "contact"), Declaration, grants).Permitted);

        Assert.Equal(PolicyRules.PurposeNotGranted, decisions.Decide(Read(Vendor, "marketing", "contact"), Declaration, grants).Rule);
        Assert.Equal(PolicyRules.ItemNotGranted, decisions.Decide(Read(Lotus, "marketing", "contact", "contact.birth_date"), Declaration, grants).Rule);
        Assert.Equal(PolicyRules.PartyInactive, decisions.Decide(Read(Lotus with { Status = PartyStatus.Suspended }, "marketing", "contact"), Declaration, grants).Rule);
    }

    [Fact]
    public void An_item_name_holding_a_separator_is_not_taken_for_two_items()
    {
        var decisions = new PolicyDecisions();
        var grants = DefaultGrants.Create();
        Assert.True(decisions.Decide(Read(Lotus, "marketing", "contact", "vehicle"), Declaration, grants).Permitted);

        Assert.Equal(PolicyRules.ItemUndeclared, decisions.Decide(Read(Lotus, "marketing", "contact\nvehicle"), Declaration, grants).Rule);
    }
}
