using System.Net;
using System.Security.Cryptography;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Exchange.Host.Tests.Tokens;

/// <summary>The token endpoint over real mTLS: who gets a token, what it says, and what it is bound to.</summary>
public sealed class TokenServiceTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";
    private const string Group = "group-lotus";

    [Fact]
    public async Task Client_credentials_token_names_the_party_carries_its_granted_purposes_and_is_bound_to_its_certificate()
    {
        var certificate = Certificate(Group);
        var token = await TokenEndpoint.ClientCredentialsAsync(Hub, certificate, Group);

        var claims = TokenEndpoint.Claims(token);
        Assert.Equal(Group, claims.GetProperty("sub").GetString());
        Assert.Equal(Group, claims.GetProperty("party").GetString());
        var granted = (await new Grants.GrantsClient(Channel("admin")).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct)).Grants
            .Where(g => g.Role == "group-body" || g.PartyId == Group).Select(g => g.Purpose).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(' ', granted), claims.GetProperty("scope").GetString());
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData)), claims.GetProperty("cnf").GetProperty("x5t#S256").GetString());
        var lifetime = claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
        Assert.Equal(300, lifetime);
        Assert.Equal(Group, claims.GetProperty("client_id").GetString());
        Assert.Equal("https://exchange.local/", claims.GetProperty("iss").GetString());
        Assert.True(claims.TryGetProperty("jti", out _));
        var header = TokenEndpoint.Claims(token, part: 0);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
    }

    [Fact]
    public async Task A_scope_that_is_not_a_granted_purpose_is_refused_as_invalid_scope()
    {
        var (status, body) = await TokenEndpoint.PostAsync(Hub, Certificate(Group), ("grant_type", "client_credentials"), ("client_id", Group), ("scope", "statistics no-such-purpose"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());
        Assert.Contains("'no-such-purpose' is not a purpose granted to party 'group-lotus'", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_id_other_than_the_certificates_party_is_refused()
    {
        var (status, body) = await TokenEndpoint.PostAsync(Hub, Certificate(Vendor), ("grant_type", "client_credentials"), ("client_id", Garage));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Contains("client_id 'garage-kaminoyama' is not the party 'vendor-broadleaf' the client certificate names", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suspended_party_gets_no_token()
    {
        await new Partners.PartnersClient(Channel("admin")).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Garage }, cancellationToken: Ct);

        var (status, body) = await TokenEndpoint.PostAsync(Hub, Certificate(Garage), ("grant_type", "client_credentials"), ("client_id", Garage));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unauthorized_client", body.GetProperty("error").GetString());
        Assert.Contains("party 'garage-kaminoyama' is suspended", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vendor_exchanges_its_token_for_one_acting_for_a_garage_only_while_the_garage_authorises_it()
    {
        var vendor = Certificate(Vendor);
        var own = await TokenEndpoint.ClientCredentialsAsync(Hub, vendor, Vendor);
        (string, string)[] exchange = [("grant_type", TokenEndpoint.Exchange), ("client_id", Vendor), ("subject_token", own), ("subject_token_type", TokenEndpoint.AccessTokenType), ("audience", Garage)];

        var (before, refused) = await TokenEndpoint.PostAsync(Hub, vendor, exchange);
        Assert.Equal(HttpStatusCode.BadRequest, before);
        Assert.Equal("access_denied", refused.GetProperty("error").GetString());
        Assert.Contains("garage 'garage-kaminoyama' has no current authorisation for vendor 'vendor-broadleaf'", refused.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read" } }, cancellationToken: Ct);
        var (status, body) = await TokenEndpoint.PostAsync(Hub, vendor, exchange);

        Assert.Equal(HttpStatusCode.OK, status);
        var claims = TokenEndpoint.Claims(body.GetProperty("access_token").GetString()!);
        Assert.Equal(Garage, claims.GetProperty("party").GetString());
        Assert.Equal(Vendor, claims.GetProperty("act").GetProperty("sub").GetString());
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(vendor.RawData)), claims.GetProperty("cnf").GetProperty("x5t#S256").GetString());
    }

    [Fact]
    public async Task Another_partys_token_is_no_subject_token_for_an_exchange()
    {
        await new Partners.PartnersClient(Channel(Garage)).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read" } }, cancellationToken: Ct);
        var garageToken = await TokenEndpoint.ClientCredentialsAsync(Hub, Certificate(Garage), Garage);

        var (status, body) = await TokenEndpoint.PostAsync(Hub, Certificate(Vendor), ("grant_type", TokenEndpoint.Exchange), ("client_id", Vendor), ("subject_token", garageToken), ("subject_token_type", TokenEndpoint.AccessTokenType), ("audience", Garage));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_authorization_code_that_is_not_the_hubs_is_refused()
    {
        var (status, body) = await TokenEndpoint.PostAsync(Hub, Certificate(Garage), ("grant_type", "authorization_code"), ("client_id", Garage), ("code", "not-a-code"), ("redirect_uri", "http://127.0.0.1:5000/cb"), ("code_verifier", new string('a', 43)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Discovery_names_the_endpoints_the_grants_and_certificate_bound_tokens()
    {
        using var client = new HttpClient(Exchange.Protocol.Client.MutualTlsChannel.CreateHandler(Certificate(Garage), Hub.TrustAnchors)) { BaseAddress = Hub.Address };
        using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri(".well-known/openid-configuration", UriKind.Relative), Ct));
        var root = document.RootElement;

        Assert.True(root.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        Assert.Equal(["tls_client_auth"], root.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
        var grants = root.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("client_credentials", grants);
        Assert.Contains(TokenEndpoint.Exchange, grants);
        Assert.Contains("authorization_code", grants);
        Assert.Equal(["S256"], root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.EndsWith("/connect/token", root.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_endpoints_are_not_served_on_the_public_listener_nor_the_operations_port()
    {
        await using var hub = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Operations:Port"] = "0" });
        foreach (var address in new[] { hub.PublicAddress!, hub.OperationsAddress! })
        {
            using var client = new HttpClient(Exchange.Protocol.Client.MutualTlsChannel.CreateHandler(null, hub.TrustAnchors)) { BaseAddress = address };
            using var content = new FormUrlEncodedContent([KeyValuePair.Create("grant_type", "client_credentials"), KeyValuePair.Create("client_id", Garage)]);
            using var token = await client.PostAsync(new Uri("connect/token", UriKind.Relative), content, Ct);
            using var discovery = await client.GetAsync(new Uri(".well-known/openid-configuration", UriKind.Relative), Ct);

            Assert.Equal(HttpStatusCode.NotFound, token.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, discovery.StatusCode);
        }
    }
}
