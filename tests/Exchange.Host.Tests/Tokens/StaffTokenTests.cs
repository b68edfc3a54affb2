using System.Net;
using System.Security.Cryptography;
using System.Text;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Console;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using StaffRole = Exchange.Domain.Staff.StaffRole;

namespace Exchange.Host.Tests.Tokens;

/// <summary>
/// Staff tokens by authorization code with PKCE, end to end: a person signs in to the console in
/// Debian's Chromium, the browser follows the party system's authorization request to the system's
/// loopback listener (RFC 8252, as a garage's desktop software would run), and the system redeems
/// the code over mTLS.
/// </summary>
public sealed class StaffTokenTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string Password = "Correct horse battery 7";

    protected override Task<TestHub> StartHubAsync() =>
        TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Console:Listen"] = "https://127.0.0.1:0" });

    [Fact]
    public async Task A_staff_members_code_becomes_a_token_naming_them_that_their_partys_system_uses_until_they_are_disabled()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        var (staffId, name) = await AddStaffAsync(browser, Garage);

        using var callback = new LoopbackCallback();

        // No session yet: the authorization request leads to the console's sign-in, and back.
        await page.GotoAsync(browser.Url(AuthorizePath(Garage, callback.Uri)));
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/signin"));
        var received = callback.ReceiveAsync();
        await ConsoleBrowser.FillPasswordAsync(page, name, Password);
        var code = Query(await received)["code"] ?? throw new InvalidOperationException("no code");
        var token = await RedeemAsync(Certificate(Garage), Garage, code, callback.Uri);

        var claims = TokenEndpoint.Claims(token);
        Assert.Equal(staffId, claims.GetProperty("staff_id").GetString());
        Assert.Equal(Garage, claims.GetProperty("party").GetString());
        Assert.Equal(nameof(StaffRole.Member), claims.GetProperty("staff_role").GetString());
        var garage = Channel(Garage);
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
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await SignedInAsync(browser, Garage);
        using var callback = new LoopbackCallback();
        var code = Query(await AuthorizeAsync(browser, page, Garage, callback))["code"];

        var (byOther, other) = await TokenEndpoint.PostAsync(Hub, Certificate(Vendor), ("grant_type", "authorization_code"), ("client_id", Vendor), ("code", code!), ("redirect_uri", callback.Uri), ("code_verifier", Verifier));
        var (wrongVerifier, wrong) = await TokenEndpoint.PostAsync(Hub, Certificate(Garage), ("grant_type", "authorization_code"), ("client_id", Garage), ("code", code!), ("redirect_uri", callback.Uri), ("code_verifier", Verifier.Replace('d', 'e')));

        Assert.Equal(HttpStatusCode.BadRequest, byOther);
        Assert.Equal("invalid_grant", other.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier);
        Assert.Equal("invalid_grant", wrong.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_person_gets_no_code_for_another_partys_system()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await SignedInAsync(browser, Vendor);
        using var callback = new LoopbackCallback();

        var returned = Query(await AuthorizeAsync(browser, page, Garage, callback));

        Assert.Equal("access_denied", returned["error"]);
        Assert.Null(returned["code"]);
    }

    [Fact]
    public async Task A_redirect_uri_that_is_not_loopback_is_refused_without_redirecting()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await SignedInAsync(browser, Garage);
        var redirected = false;
        await page.RouteAsync("https://attacker.example/**", async route =>
        {
            redirected = true;
            await route.AbortAsync();
        });

        var response = await page.GotoAsync(browser.Url(AuthorizePath(Garage, "https://attacker.example/callback")));

        Assert.Equal((int)HttpStatusCode.BadRequest, response!.Status);
        Assert.False(redirected);
    }

    // Follows the authorization request in the signed-in browser to the system's loopback listener.
    private static async Task<Uri> AuthorizeAsync(ConsoleBrowser browser, IPage page, string clientId, LoopbackCallback callback)
    {
        var received = callback.ReceiveAsync();
        await page.GotoAsync(browser.Url(AuthorizePath(clientId, callback.Uri)));
        return await received;
    }

    private static string AuthorizePath(string clientId, string redirectUri)
    {
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));
        return $"/connect/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(redirectUri)}&code_challenge={challenge}&code_challenge_method=S256&state=s1";
    }

    private static System.Collections.Specialized.NameValueCollection Query(Uri returned)
    {
        var query = System.Web.HttpUtility.ParseQueryString(returned.Query);
        Assert.Equal("s1", query["state"]);
        return query;
    }

    private async Task<string> RedeemAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string client, string code, string redirectUri)
    {
        var (status, body) = await TokenEndpoint.PostAsync(Hub, certificate, ("grant_type", "authorization_code"), ("client_id", client), ("code", code), ("redirect_uri", redirectUri), ("code_verifier", Verifier));
        Assert.True(status == HttpStatusCode.OK, $"redemption failed: {status} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    private static async Task<(string StaffId, string Name)> AddStaffAsync(ConsoleBrowser browser, string party)
    {
        var name = "staff-" + Guid.NewGuid().ToString("N")[..8];
        return (await browser.CreateStaffAsync(party, name, Password), name);
    }

    private static async Task<IPage> SignedInAsync(ConsoleBrowser browser, string party)
    {
        var (_, name) = await AddStaffAsync(browser, party);
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, name, Password);
        return page;
    }

    private async Task SetEnabledAsync(string staffId, bool enabled)
    {
        await using var scope = Hub.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Users.Where(u => u.Id == staffId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Enabled, enabled), Ct);
    }

    /// <summary>The party system's loopback listener for the authorization response: answers each request, returns the first to its callback path.</summary>
    private sealed class LoopbackCallback : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);

        public LoopbackCallback() => _listener.Start();

        public string Uri => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/callback";

        public async Task<Uri> ReceiveAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(timeout.Token);
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var target = (await reader.ReadLineAsync(timeout.Token))?.Split(' ') is [_, var path, ..] ? path : "";
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), timeout.Token);
                if (target.StartsWith("/callback", StringComparison.Ordinal))
                {
                    return new Uri(new Uri(Uri), target);
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
