using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Domain.Tests.Provisions;

namespace Exchange.Domain.Tests.Records;

public sealed class SearchPageTokenTests : IDisposable
{
    private static readonly DateTimeOffset Issued = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Search = SearchPageToken.Bind("group-lotus", "recall", ["contact", "vehicle"], null, ["DAA-ZVW30", "DBA-NCP91"], "山形県");
    private readonly TestLogSigner _signer = new();

    [Theory]
    [InlineData("K00001")]
    [InlineData("上山-顧客-0001")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Token_gives_back_the_position_it_was_issued_for(string customerRef)
    {
        var token = SearchPageToken.Issue(Search, new SearchPosition(812, customerRef), Issued, _signer);

        Assert.Equal(new SearchPosition(812, customerRef), SearchPageToken.Open(token, Search, Issued.AddHours(1), _signer));
    }

    [Fact]
    public void The_same_search_asked_in_another_order_binds_alike()
    {
        var reordered = SearchPageToken.Bind("group-lotus", "recall", ["vehicle", "contact", "vehicle"], null, ["DBA-NCP91", "DAA-ZVW30"], "山形県");

        Assert.Equal(Search, reordered);
    }

    [Theory]
    [InlineData("group-lotus", "recall", "contact", "garage-kaminoyama", "DAA-ZVW30 DBA-NCP91", "山形県")]
    [InlineData("vendor-broadleaf", "recall", "contact vehicle", null, "DAA-ZVW30 DBA-NCP91", "山形県")]
    [InlineData("group-lotus", "marketing", "contact vehicle", null, "DAA-ZVW30 DBA-NCP91", "山形県")]
    [InlineData("group-lotus", "recall", "contact vehicle", null, "DAA-ZVW30", "山形県")]
    [InlineData("group-lotus", "recall", "contact vehicle", null, "DAA-ZVW30 DBA-NCP91", null)]
    [InlineData("group-lotus", "recall", "contact vehicle", "", "DAA-ZVW30 DBA-NCP91", "山形県")]
    public void Token_of_another_search_is_refused(string caller, string purpose, string items, string? owner, string modelCodes, string? prefecture)
    {
        var token = SearchPageToken.Issue(Search, new SearchPosition(1, "K00001"), Issued, _signer);
        var other = SearchPageToken.Bind(caller, purpose, items.Split(' '), owner, modelCodes.Split(' '), prefecture);

        var error = Assert.Throws<ExchangeException>(() => SearchPageToken.Open(token, other, Issued, _signer));

        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.StartsWith("page_token belongs to another search", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_older_than_a_day_is_refused()
    {
        var token = SearchPageToken.Issue(Search, new SearchPosition(1, "K00001"), Issued, _signer);

        var error = Assert.Throws<ExchangeException>(() => SearchPageToken.Open(token, Search, Issued.AddDays(1).AddSeconds(1), _signer));

        Assert.StartsWith("page_token expired at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_walks_resume_token_signed_by_the_same_key_is_not_a_page_token()
    {
        var walk = VerifyResumeToken.Issue(new ChainPosition(812, new string('c', 64), 812, 3, 800, new string('d', 64)), Issued, Issued, _signer);

        var error = Assert.Throws<ExchangeException>(() => SearchPageToken.Open(walk, Search, Issued, _signer));

        Assert.StartsWith("page_token is not a token this hub issued", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _signer.Dispose();
}
