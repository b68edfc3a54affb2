using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Exchange.Contracts.V1;
using Exchange.Domain.Staff;
using StaffRole = Exchange.Domain.Staff.StaffRole;
using Exchange.Host.Pki;
using Exchange.Host.Staff;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Exchange.Storage.Entities;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Exchange.Host.Tests.Tokens;

/// <summary>
/// Staff tokens by authorization code with PKCE, without the console: a stand-in HTTPS listener
/// without client certificates and a stand-in <see cref="StaffClaims.ConsoleScheme"/> that signs in
/// the person a test header names. The party's system redeems the code over mTLS.
/// </summary>
public sealed class StaffTokenTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";
    private const string RedirectUri = "http://127.0.0.1:9/callback";
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(configure: builder =>
    {
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, TestStaffSession>(StaffClaims.ConsoleScheme, null);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https => https.ServerCertificate = kestrel.ApplicationServices.GetRequiredService<HubCertificates>().ServerCertificate);
        }));
    });

    [Fact]
    public async Task A_staff_members_code_becomes_a_token_naming_them_that_their_partys_system_uses_until_they_are_disabled()
    {
        var staffId = await AddStaffAsync(Garage);

        var code = await AuthorizeAsync(staffId, Garage);
        var token = await RedeemAsync(Certificate(Garage), Garage, code);

        var claims = TokenEndpoint.Claims(token);
        Assert.Equal(staffId, claims.GetProperty("staff_id").GetString());
        Assert.Equal(Garage, claims.GetProperty("party").GetString());
        Assert.Equal(nameof(StaffRole.Member), claims.GetProperty("staff_role").GetString());
        var garage = Channel(Garage);
        Assert.Equal(Garage, (await new Diagnostics.DiagnosticsClient(garage).PingAsync(new PingRequest(), TokenEndpoint.Bearer(token))).PartyId);
        await new Records.RecordsClient(garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C-STAFF-1") }, TokenEndpoint.Bearer(token));
        await new Records.RecordsClient(garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C-SYSTEM-1") }, cancellationToken: Ct);
        var written = (await Hub.ReadAllAsync()).Where(e => e.Fact.Outcome == ProvisionOutcome.Received && e.Fact.Provider == Garage).ToList();
        Assert.Equal([staffId, null], written.TakeLast(2).Select(e => e.Fact.StaffId));

        await SetEnabledAsync(staffId, enabled: false);
        var refused = await Refusals.FailsAsync(() => new Diagnostics.DiagnosticsClient(garage).PingAsync(new PingRequest(), TokenEndpoint.Bearer(token)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains($"staff member '{staffId}' is disabled", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_code_is_redeemed_only_by_the_client_party_with_the_verifier()
    {
        var code = await AuthorizeAsync(await AddStaffAsync(Garage), Garage);

        var (byOther, other) = await TokenEndpoint.PostAsync(Hub, Certificate(Vendor), ("grant_type", "authorization_code"), ("client_id", Vendor), ("code", code), ("redirect_uri", RedirectUri), ("code_verifier", Verifier));
        var (wrongVerifier, wrong) = await TokenEndpoint.PostAsync(Hub, Certificate(Garage), ("grant_type", "authorization_code"), ("client_id", Garage), ("code", code), ("redirect_uri", RedirectUri), ("code_verifier", Verifier.Replace('d', 'e')));

        Assert.Equal(HttpStatusCode.BadRequest, byOther);
        Assert.Equal("invalid_grant", other.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier);
        Assert.Equal("invalid_grant", wrong.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_person_gets_no_code_for_another_partys_system_nor_without_a_session()
    {
        var vendorStaff = await AddStaffAsync(Vendor);

        using var other = await GetAuthorizeAsync(vendorStaff, Garage);
        using var anonymous = await GetAuthorizeAsync(null, Garage);

        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.Contains("error=access_denied", other.Headers.Location!.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_redirect_uri_that_is_not_loopback_is_refused_without_redirecting()
    {
        using var response = await GetAuthorizeAsync(await AddStaffAsync(Garage), Garage, "https://attacker.example/callback");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    private async Task<string> AuthorizeAsync(string staffId, string client)
    {
        using var response = await GetAuthorizeAsync(staffId, client);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"authorize answered {response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        var query = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        Assert.Equal("s1", query["state"]);
        return query["code"] ?? throw new InvalidOperationException("no code in " + response.Headers.Location);
    }

    private async Task<HttpResponseMessage> GetAuthorizeAsync(string? staffId, string clientId, string redirectUri = RedirectUri)
    {
        var console = Hub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).Last(a => a.Scheme == Uri.UriSchemeHttps);
        using var handler = Exchange.Protocol.Client.MutualTlsChannel.CreateHandler(null, Hub.TrustAnchors);
        handler.AllowAutoRedirect = false;
        using var client = new HttpClient(handler) { BaseAddress = console };
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));
        var query = $"connect/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(redirectUri)}&code_challenge={challenge}&code_challenge_method=S256&state=s1";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(query, UriKind.Relative));
        if (staffId is not null)
        {
            request.Headers.Add(TestStaffSession.Header, staffId);
        }

        return await client.SendAsync(request, Ct);
    }

    private async Task<string> RedeemAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string client, string code)
    {
        var (status, body) = await TokenEndpoint.PostAsync(Hub, certificate, ("grant_type", "authorization_code"), ("client_id", client), ("code", code), ("redirect_uri", RedirectUri), ("code_verifier", Verifier));
        Assert.True(status == HttpStatusCode.OK, $"redemption failed: {status} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    private async Task<string> AddStaffAsync(string party)
    {
        await using var scope = Hub.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        var account = new StaffAccount { Id = StaffMember.NewId(), UserName = "staff-" + Guid.NewGuid().ToString("N")[..8], PartyId = party, DisplayName = "佐藤 花子", Role = StaffRole.Member };
        database.Users.Add(account);
        await database.SaveChangesAsync(Ct);
        return account.Id;
    }

    private async Task SetEnabledAsync(string staffId, bool enabled)
    {
        await using var scope = Hub.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Users.Where(u => u.Id == staffId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Enabled, enabled), Ct);
    }

    /// <summary>The console's session, stood in for: the staff ID in a test header is the signed-in person.</summary>
    private sealed class TestStaffSession(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Header = "X-Test-Staff";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers[Header].FirstOrDefault() is { Length: > 0 } staffId
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(StaffClaims.StaffId, staffId)], Scheme.Name)), Scheme.Name))
                : AuthenticateResult.NoResult());
    }
}
