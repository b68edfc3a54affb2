using Exchange.Domain.Staff;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Playwright;
using OtpNet;

namespace Exchange.Host.Tests.Console;

/// <summary>
/// Debian's Chromium (headless, through Playwright) on a hub's console, with the people it signs in.
/// TOTP codes are computed with Otp.NET, an implementation independent of the hub's. Screenshots go
/// to <c>artifacts/console-screenshots/</c> under the repository.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public static readonly string ScreenshotDirectory = Path.Combine(RepositoryRoot.Path, "artifacts", "console-screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly TestHub _hub;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, TestHub hub)
    {
        _playwright = playwright;
        _browser = browser;
        _hub = hub;
    }

    public static async Task<ConsoleBrowser> LaunchAsync(TestHub hub)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium(), Headless = true });
        return new ConsoleBrowser(playwright, browser, hub);
    }

    /// <summary>A fresh browser profile (no cookies) on the console; the hub's development CA is not trusted by Chromium, hence the ignored certificate errors.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, Locale = "ja-JP", ViewportSize = new() { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }

    public string Url(string path) => _hub.ConsoleAddress!.GetLeftPart(UriPartial.Authority) + path;

    /// <summary>Creates a staff account as a test may (through Identity's UserManager); returns its staff ID.</summary>
    public async Task<string> CreateStaffAsync(string partyId, string signInName, string password, StaffRole role = StaffRole.Member)
    {
        await using var scope = _hub.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffAccount>>();
        var account = new StaffAccount { Id = StaffMember.NewId(), UserName = signInName, PartyId = partyId, DisplayName = "山田 花子", Role = role };
        var result = await users.CreateAsync(account, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return account.Id;
    }

    /// <summary>Fills in the sign-in form.</summary>
    public async Task SubmitPasswordAsync(IPage page, string signInName, string password)
    {
        await page.GotoAsync(Url("/console/signin"));
        await FillPasswordAsync(page, signInName, password);
    }

    /// <summary>Fills in the sign-in form the page shows.</summary>
    public static async Task FillPasswordAsync(IPage page, string signInName, string password)
    {
        await page.FillAsync("input[name=SignInName]", signInName);
        await page.FillAsync("input[name=Password]", password);
        await page.ClickAsync("#sign-in");
    }

    /// <summary>Signs in a person without a second factor (garage staff may).</summary>
    public async Task SignInAsync(IPage page, string signInName, string password)
    {
        await SubmitPasswordAsync(page, signInName, password);
        await Assertions.Expect(page).ToHaveURLAsync(Url("/console"));
    }

    /// <summary>An operator's first sign-in: password, then the forced enrolment of an authenticator; returns the TOTP key.</summary>
    public async Task<string> SignInAndEnrolAsync(IPage page, string signInName, string password)
    {
        await SubmitPasswordAsync(page, signInName, password);
        await Assertions.Expect(page).ToHaveURLAsync(Url("/console/enrol"));
        var key = await page.InnerTextAsync("#totp-key");
        Assert.StartsWith("otpauth://totp/Exchange:stf_", await page.InnerTextAsync("#totp-uri"), StringComparison.Ordinal);
        await ScreenshotAsync(page, "enrol");
        await page.FillAsync("input[name=Code]", Code(key));
        await page.ClickAsync("#enrol");
        await Assertions.Expect(page).ToHaveURLAsync(Url("/console"));
        return key;
    }

    /// <summary>A later sign-in: password, then a code from the authenticator.</summary>
    public async Task SignInWithCodeAsync(IPage page, string signInName, string password, string key)
    {
        await SubmitPasswordAsync(page, signInName, password);
        await Assertions.Expect(page).ToHaveURLAsync(Url("/console/signin/totp"));
        await page.FillAsync("input[name=Code]", Code(key));
        await page.ClickAsync("#verify");
        await Assertions.Expect(page).ToHaveURLAsync(Url("/console"));
    }

    public static string Code(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    // CI installs Debian's chromium; Playwright's own browser download is unreachable here.
    private static string Chromium() =>
        Environment.GetEnvironmentVariable("EXCHANGE_CHROMIUM") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException("Chromium is not installed: apt-get install chromium fonts-noto-cjk (or set EXCHANGE_CHROMIUM).");
}
