using Exchange.Protocol.Identity;

namespace Exchange.Protocol.Tests.Identity;

public sealed class PartySpiffeIdTests
{
    [Theory]
    [InlineData("spiffe://exchange.local/party/garage-kaminoyama", "exchange.local", "garage-kaminoyama")]
    [InlineData("spiffe://a/party/x", "a", "x")]
    public void Party_ids_parse_into_trust_domain_and_party(string value, string trustDomain, string party)
    {
        Assert.True(PartySpiffeId.TryParse(value, out var id));
        Assert.Equal(trustDomain, id.TrustDomain);
        Assert.Equal(party, id.PartyId);
        Assert.Equal(value, id.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://exchange.local/party/x")]
    [InlineData("spiffe://exchange.local/party/")]
    [InlineData("spiffe://exchange.local/user/x")]
    [InlineData("spiffe://Exchange.Local/party/x")]
    [InlineData("spiffe://exchange.local/party/x/y")]
    [InlineData("spiffe://exchange.local/party/..")]
    [InlineData("spiffe:///party/x")]
    [InlineData("spiffe://exchange.local/party/GARAGE")]
    public void Anything_but_a_party_id_is_refused(string? value) =>
        Assert.False(PartySpiffeId.TryParse(value, out _));

    [Fact]
    public void Creating_an_invalid_id_names_the_bad_part()
    {
        var error = Assert.Throws<ArgumentException>(() => PartySpiffeId.Create("exchange.local", "bad id"));
        Assert.Equal("partyId", error.ParamName);
    }
}
