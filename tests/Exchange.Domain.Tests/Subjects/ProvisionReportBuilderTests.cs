using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Provisions;
using Exchange.Domain.Subjects;

namespace Exchange.Domain.Tests.Subjects;

public sealed class ProvisionReportBuilderTests
{
    private const string Garage = "garage-kaminoyama";
    private const string Lotus = "group-lotus";
    private const string Vendor = "vendor-broadleaf";
    private static readonly DateTimeOffset Start = new(2027, 1, 4, 9, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<int, DeclarationRecord> Declarations = new()
    {
        [1] = new DeclarationRecord(1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DefaultDeclaration.Kaminoyama()),
    };

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [Garage] = "株式会社上山オート",
        [Lotus] = "株式会社ロータス（全日本ロータス同友会）",
        [Vendor] = "株式会社ブロードリーフ",
    };

    [Fact]
    public void Provisions_to_other_parties_are_listed_oldest_first_in_Japanese_and_everything_else_is_summarised()
    {
        ChainedProvision[] entries =
        [
            Entry(5, Fact(3, Lotus, Garage, ProvisionOutcome.Provided, ["contact.phone", "contact.name"], "marketing")),
            Entry(1, Fact(0, Garage, "hub", ProvisionOutcome.Received, ["contact.name"], "after-sales")),
            Entry(2, Fact(1, Garage, Garage, ProvisionOutcome.Provided, ["contact.name"], "after-sales")),
            Entry(3, Fact(2, Garage, Lotus, ProvisionOutcome.Refused, ["repair.work"], "marketing") with { Rule = "item.not-granted" }),
            Entry(4, Fact(2, Garage, Lotus, ProvisionOutcome.Provided, ["contact.name"], "marketing") with { Agent = null }),
            Entry(6, Fact(4, Garage, Lotus, ProvisionOutcome.Refused, ["contact.name"], "marketing") with { Rule = "person.opted-out" }),
            Entry(7, Fact(5, Garage, Lotus, ProvisionOutcome.Refused, ["contact.name"], "marketing") with { Rule = "person.opted-out" }),
            Entry(8, Fact(6, Garage, "authority", ProvisionOutcome.Exceptional, ["contact.name"], "") with { Rule = "laws-and-regulations" }),
            Entry(9, Fact(7, Garage, Garage, ProvisionOutcome.Provided, ["contact.name"], "after-sales") with { Recipient = Garage, Agent = Vendor }),
        ];

        var report = ProvisionReportBuilder.Build("req_1", ["s1"], entries, Declarations, Names, new Dictionary<long, ExceptionalProvision>(), Start.AddDays(1));

        Assert.Equal([4L, 5L], report.Provisions.Select(p => p.Sequence));
        var first = report.Provisions[0];
        Assert.Equal(("株式会社上山オート", "株式会社ロータス（全日本ロータス同友会）", "", "provided", 1, "hash-4"), (first.ProviderNameJa, first.RecipientNameJa, first.AgentNameJa, first.Outcome, first.DeclarationVersion, first.EntryHash));
        Assert.Equal("お客様に最適な提案やご案内、効果的な広告宣伝を実施するため。", first.PurposeJa);
        Assert.Equal(["お電話番号", "お名前"], report.Provisions[1].ItemNamesJa);
        Assert.Equal(["contact.phone", "contact.name"], report.Provisions[1].Items);
        Assert.Equal(
            [("own-use", "", 2L, 1, 7), ("received", "", 1L, 0, 0), ("refused", "item.not-granted", 1L, 2, 2), ("refused", "person.opted-out", 2L, 4, 5)],
            report.Summary.Select(s => (s.Outcome, s.Rule, s.Count, (int)(s.First.ToDateTimeOffset() - Start).TotalHours, (int)(s.Last.ToDateTimeOffset() - Start).TotalHours)));
    }

    [Fact]
    public void An_unknown_party_or_item_is_shown_by_its_identifier()
    {
        var report = ProvisionReportBuilder.Build("req_2", ["s1"], [Entry(1, Fact(0, Garage, "group-gone", ProvisionOutcome.Provided, ["contact.name"], "marketing") with { DeclarationVersion = 9 })], Declarations, Names, new Dictionary<long, ExceptionalProvision>(), Start);

        var provision = Assert.Single(report.Provisions);
        Assert.Equal(("group-gone", "contact.name", "marketing"), (provision.RecipientNameJa, Assert.Single(provision.ItemNamesJa), provision.PurposeJa));
    }

    [Fact]
    public void An_exceptional_provision_is_listed_with_its_authority_only_where_its_record_lets_the_person_see_it()
    {
        ChainedProvision[] entries =
        [
            Entry(1, Fact(1, Garage, "authority", ProvisionOutcome.Exceptional, ["contact.name"], "exceptional-provision") with { Rule = "laws-and-regulations" }),
            Entry(2, Fact(2, Garage, "authority", ProvisionOutcome.Exceptional, ["contact.phone"], "exceptional-provision") with { Rule = "laws-and-regulations" }),
        ];
        var shown = new ExceptionalProvision { Authority = "山形地方裁判所", DiscloseToSubject = true, ProvidedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Start) };
        var hidden = new ExceptionalProvision { Authority = "山形県警察", DiscloseToSubject = false };

        var report = ProvisionReportBuilder.Build("req_3", ["s1"], entries, Declarations, Names, new Dictionary<long, ExceptionalProvision> { [1] = shown, [2] = hidden }, Start.AddDays(1));

        var listed = Assert.Single(report.Provisions);
        Assert.Equal((1L, "山形地方裁判所", "laws-and-regulations", "exceptional", Start), (listed.Sequence, listed.Authority, listed.LegalBasis, listed.Outcome, listed.Time.ToDateTimeOffset()));
        Assert.Empty(report.Summary);
        Assert.DoesNotContain("山形県警察", report.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, "stf_0a1b2c")]
    public void A_provision_names_the_party_and_the_acting_staff_member_only_where_policy_lets_the_person_see_it(bool showStaff, string expected)
    {
        ChainedProvision[] entries = [Entry(1, Fact(1, Garage, Lotus, ProvisionOutcome.Provided, ["contact.name"], "marketing") with { StaffId = "stf_0a1b2c" })];

        var report = ProvisionReportBuilder.Build("req_4", ["s1"], entries, Declarations, Names, new Dictionary<long, ExceptionalProvision>(), Start.AddDays(1), showStaff);
        var html = ProvisionReportDocument.Render(report, Declarations[1].Content);

        var listed = Assert.Single(report.Provisions);
        Assert.Equal(("株式会社ロータス（全日本ロータス同友会）", expected), (listed.RecipientNameJa, listed.StaffId));
        Assert.Equal(showStaff, html.Contains("stf_0a1b2c", StringComparison.Ordinal));
        Assert.Equal(showStaff, report.ToString().Contains("stf_0a1b2c", StringComparison.Ordinal));
    }

    private static ChainedProvision Entry(long sequence, ProvisionFact fact) => new(sequence, fact, $"hash-{sequence - 1}", $"hash-{sequence}");

    private static ProvisionFact Fact(int hour, string provider, string recipient, ProvisionOutcome outcome, string[] items, string purpose) =>
        new(Start.AddHours(hour), provider, recipient, null, "s1", items, purpose, 1, "declaration-hash", "call", outcome, null);
}
