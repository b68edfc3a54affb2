using System.Net;
using System.Text.RegularExpressions;
using Exchange.Contracts.V1;
using Exchange.Domain.Staff;
using StaffRole = Exchange.Domain.Staff.StaffRole;
using Exchange.Host.Console;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Microsoft.Playwright;

namespace Exchange.Host.Tests.Console;

/// <summary>The operators' web console in Debian's Chromium: sign-in with TOTP, the operator's actions and their audit, sessions that end at once, roles, CSRF.</summary>
public sealed partial class ConsoleTests : HubScenario
{
    private const string Password = "Correct horse battery 7";

    protected override Task<TestHub> StartHubAsync() =>
        TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:Console:Listen"] = "https://127.0.0.1:0" });

    [Fact]
    public async Task An_operator_signs_in_with_totp_approves_a_request_revokes_a_certificate_and_publishes_a_declaration_each_audited()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        var (name, password) = BootstrapOperator();
        var key = await browser.SignInAndEnrolAsync(page, name, password);
        await ConsoleBrowser.ScreenshotAsync(page, "home-operator");
        await page.ClickAsync("header form button");
        await browser.SignInWithCodeAsync(page, name, password, key);
        var staffId = (await page.InnerTextAsync("#session code")).Trim();
        Assert.StartsWith(StaffMember.IdPrefix, staffId, StringComparison.Ordinal);

        // The garage files its signing request over gRPC; the operator checks the fingerprint in the console.
        var keys = Track(new PartnerKeys("garage-kaminoyama"));
        var filed = await new Certificates.CertificatesClient(Channel("garage-kaminoyama")).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = "garage-kaminoyama", CsrPem = keys.CsrPem }, cancellationToken: Ct);
        await page.GotoAsync(browser.Url("/console/requests"));
        var request = page.Locator($"#request-{filed.RequestId}");
        Assert.Equal(RequestsFingerprint(keys.PublicKeySha256), await request.Locator(".fingerprint").InnerTextAsync());
        await request.Locator(".confirm-fingerprint").FillAsync(new string('0', 64));
        await request.Locator(".approve").ClickAsync();
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("does not match");
        await ConsoleBrowser.ScreenshotAsync(page, "signing-requests");
        request = page.Locator($"#request-{filed.RequestId}");
        await request.Locator(".confirm-fingerprint").FillAsync(RequestsFingerprint(keys.PublicKeySha256));
        await request.Locator(".approve").ClickAsync();
        await Assertions.Expect(page.Locator("#done")).ToContainTextAsync("Issued certificate");
        var serial = Serial().Match(await page.InnerTextAsync("#done")).Groups[1].Value;

        await page.GotoAsync(browser.Url("/console/certificates"));
        await ConsoleBrowser.ScreenshotAsync(page, "certificates-operator");
        await page.Locator($"#certificate-{serial} .revoke").ClickAsync();
        await Assertions.Expect(page.Locator("#done")).ToContainTextAsync($"Revoked {serial}");

        await page.GotoAsync(browser.Url("/console/declarations"));
        await Assertions.Expect(page.Locator("#rules")).ToContainTextAsync("Art. 27(6)");
        await ConsoleBrowser.ScreenshotAsync(page, "declarations");
        await page.CheckAsync("#rules-read");
        await page.ClickAsync("#publish");
        await Assertions.Expect(page.Locator("#done")).ToContainTextAsync("Published version 2");

        var events = (await new HubAudit.HubAuditClient(Channel("admin")).ListEventsAsync(new ListAuditEventsRequest(), cancellationToken: Ct)).Events;
        Assert.Contains(events, e => e is { Action: "certificate.issued", Actor: "admin" } && e.Subject == serial && e.StaffId == staffId);
        Assert.Contains(events, e => e is { Action: "certificate.revoked", Actor: "admin" } && e.Subject == serial && e.StaffId == staffId);
        Assert.Contains(events, e => e is { Action: "declaration.published", Actor: "admin", Subject: "declaration/2" } && e.StaffId == staffId);
        var recorded = await Hub.ReadAuditAsync();
        Assert.Contains(recorded, e => e.Event is { Action: StaffAuditActions.SecondFactorEnrolled, Actor: "admin" } && e.Event.StaffId == staffId);
        Assert.Equal(2, recorded.Count(e => e.Event.Action == StaffAuditActions.SignedIn && e.Event.StaffId == staffId));

        await page.GotoAsync(browser.Url("/console/audit"));
        var audit = page.Locator("#audit");
        await Assertions.Expect(audit).ToContainTextAsync("declaration.published");
        await Assertions.Expect(audit).ToContainTextAsync("certificate.revoked");
        await Assertions.Expect(audit.Locator("tr", new() { HasText = StaffAuditActions.SignedIn }).First).ToContainTextAsync(staffId);
        await ConsoleBrowser.ScreenshotAsync(page, "audit");

        foreach (var path in new[] { "/console/parties", "/console/grants", "/console/authorisations", "/console/recalls", "/console/persons-requests", "/console/staff", "/console/provision-log" })
        {
            Assert.Equal((int)HttpStatusCode.OK, (await page.GotoAsync(browser.Url(path)))!.Status);
            await ConsoleBrowser.ScreenshotAsync(page, path["/console/".Length..]);
        }

        await page.ClickAsync("#verify-log");
        await Assertions.Expect(page.Locator("#verification")).ToContainTextAsync("intact");

        // Once the log holds an entry and the tree is signed over it, the page shows that checkpoint.
        await new Records.RecordsClient(Channel("garage-kaminoyama")).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C-CONSOLE-1") }, cancellationToken: Ct);
        await using (var scope = Hub.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Exchange.Domain.Provisions.ProvisionTree>().CheckpointAsync(Ct);
        }

        await page.GotoAsync(browser.Url("/console/provision-log"));
        await Assertions.Expect(page.Locator("#checkpoint-note")).ToContainTextAsync("exchange.local/provision-log");
        await Assertions.Expect(page.Locator("#checkpoint")).ToContainTextAsync("0 / 0");
        await ConsoleBrowser.ScreenshotAsync(page, "provision-log");
    }

    [Fact]
    public async Task A_disabled_persons_open_session_is_refused_at_the_next_request()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        var staffId = await browser.CreateStaffAsync("garage-kaminoyama", "sato", Password);
        await browser.SignInAsync(page, "sato", Password);
        await ConsoleBrowser.ScreenshotAsync(page, "home-garage");

        await using (var scope = Hub.Services.CreateAsyncScope())
        {
            var admin = new Domain.CallContext(new Domain.Parties.Party("admin", Domain.Parties.PartyRole.Administrator, Domain.Parties.PartyStatus.Active, "運営者", "Operator"), "call_test") { StaffId = "stf_test" };
            await scope.ServiceProvider.GetRequiredService<Exchange.Host.Staff.StaffAdministration>().DisableAsync(admin, staffId, Ct);
        }

        await page.GotoAsync(browser.Url("/console/certificates"));
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/signin"));
        await browser.SubmitPasswordAsync(page, "sato", Password);
        await Assertions.Expect(page.Locator("#error")).ToBeVisibleAsync();
        Assert.Contains(await Hub.ReadAuditAsync(), e => e.Event is { Action: StaffAuditActions.Disabled, Actor: "admin", StaffId: "stf_test" } && e.Event.Subject == staffId);
    }

    [Fact]
    public async Task Staff_of_a_suspended_party_are_refused_at_the_next_request()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        await browser.CreateStaffAsync("garage-kaminoyama", "sato", Password);
        await browser.SignInAsync(page, "sato", Password);

        await new Partners.PartnersClient(Channel("admin")).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "garage-kaminoyama", Reason = "test" }, cancellationToken: Ct);

        await page.GotoAsync(browser.Url("/console"));
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/signin"));
    }

    [Fact]
    public async Task Garage_staff_cannot_open_operator_pages_and_see_only_their_own_party()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        await browser.CreateStaffAsync("garage-kaminoyama", "sato", Password);
        await browser.SignInAsync(page, "sato", Password);

        foreach (var path in new[] { "/console/audit", "/console/parties", "/console/requests", "/console/declarations", "/console/provision-log", "/console/staff" })
        {
            Assert.Equal((int)HttpStatusCode.Forbidden, (await page.GotoAsync(browser.Url(path)))!.Status);
        }

        await page.GotoAsync(browser.Url("/console/certificates"));
        var parties = await page.Locator("#certificates tr td:first-child").AllInnerTextsAsync();
        Assert.NotEmpty(parties);
        Assert.All(parties, party => Assert.Equal("garage-kaminoyama", party));
        Assert.Equal(0, await page.Locator(".revoke").CountAsync());
        await ConsoleBrowser.ScreenshotAsync(page, "certificates-garage");

        foreach (var path in new[] { "/console/authorisations", "/console/recalls", "/console/persons-requests" })
        {
            Assert.Equal((int)HttpStatusCode.OK, (await page.GotoAsync(browser.Url(path)))!.Status);
        }

        await page.GotoAsync(browser.Url("/console/provisions?owner=garage-kaminoyama&customer=C-0001"));
        await Assertions.Expect(page.Locator("#provisions")).ToBeVisibleAsync();
        await page.GotoAsync(browser.Url("/console/provisions?owner=garage-zao&customer=C-0001"));
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("log.owner-only");
    }

    [Fact]
    public async Task Sign_in_goes_on_to_the_page_asked_for_and_never_off_site()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        await browser.CreateStaffAsync("garage-kaminoyama", "sato", Password);
        await page.GotoAsync(browser.Url("/console/certificates"));
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/signin\\?ReturnUrl=%2Fconsole%2Fcertificates$"));
        await ConsoleBrowser.ScreenshotAsync(page, "signin");
        await ConsoleBrowser.FillPasswordAsync(page, "sato", Password);
        await Assertions.Expect(page).ToHaveURLAsync(browser.Url("/console/certificates"));

        var other = await browser.NewPageAsync();
        await other.GotoAsync(browser.Url("/console/signin?ReturnUrl=https%3A%2F%2Fphish.example%2F"));
        await ConsoleBrowser.FillPasswordAsync(other, "sato", Password);
        await Assertions.Expect(other).ToHaveURLAsync(browser.Url("/console"));
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        await browser.CreateStaffAsync("admin", "suzuki", Password, StaffRole.PartyAdministrator);
        await browser.SignInAndEnrolAsync(page, "suzuki", Password);
        await page.GotoAsync(browser.Url("/console/parties"));

        var form = page.APIRequest.CreateFormData();
        form.Set("PartyId", "garage-kaminoyama");
        var forged = await page.APIRequest.PostAsync(browser.Url("/console/parties?handler=Suspend"), new() { Form = form, MaxRedirects = 0 });

        Assert.Equal((int)HttpStatusCode.BadRequest, forged.Status);
        var party = await new Partners.PartnersClient(Channel("admin")).GetPartyAsync(new GetPartyRequest { PartyId = "garage-kaminoyama" }, cancellationToken: Ct);
        Assert.Equal(PartyState.Active, party.State);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(Hub);
        var page = await browser.NewPageAsync();
        await browser.CreateStaffAsync("garage-kaminoyama", "sato", Password);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await browser.SubmitPasswordAsync(page, "sato", "wrong password 123");
        }

        await browser.SubmitPasswordAsync(page, "sato", Password);
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("Locked out");
    }

    [Fact]
    public async Task The_console_is_served_only_on_its_own_listener_with_its_security_headers()
    {
        using var console = new HttpClient(MutualTlsChannel.CreateHandler(null, Hub.TrustAnchors));
        using var signIn = await console.GetAsync(new Uri(Hub.ConsoleAddress!, "/console/signin"), Ct);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("frame-ancestors 'none'", signIn.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", signIn.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", signIn.Headers.GetValues("X-Content-Type-Options").Single());
        var antiforgery = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-Exchange.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);

        using var declaration = await console.GetAsync(new Uri(Hub.ConsoleAddress!, "/declaration"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, declaration.StatusCode);
        using var onPublic = await console.GetAsync(new Uri(Hub.PublicAddress!, "/console/signin"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        using var partner = new HttpClient(MutualTlsChannel.CreateHandler(Certificate("garage-kaminoyama"), Hub.TrustAnchors));
        using var onPartner = await partner.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Hub.Address, "/console/signin")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, onPartner.StatusCode);
    }

    private static string RequestsFingerprint(string hex) => Exchange.Host.Console.Pages.RequestsModel.Grouped(hex);

    private (string Name, string Password) BootstrapOperator()
    {
        var line = Hub.Logs.Entries.Single(e => e.Event.Id == 2481).Message;
        return (ConsoleBootstrap.DevelopmentOperator, BootstrapPassword().Match(line).Groups[1].Value);
    }

    [GeneratedRegex(@"one-time password (\S+):")]
    private static partial Regex BootstrapPassword();

    [GeneratedRegex(@"certificate ([0-9A-F]+) to")]
    private static partial Regex Serial();
}
