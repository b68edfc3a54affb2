using Exchange.Contracts.V1;
using Exchange.Domain.Subjects;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Playwright;

namespace Exchange.Domain.Tests.Subjects;

public sealed class ProvisionReportDocumentTests
{
    private static readonly DateTimeOffset Generated = new(2026, 12, 6, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Times_are_shown_in_Japan_time_and_names_in_Japanese()
    {
        var html = ProvisionReportDocument.Render(Report(1));

        Assert.Contains("2026年12月6日 21時30分", html, StringComparison.Ordinal);
        Assert.Contains("株式会社上山オート", html, StringComparison.Ordinal);
        Assert.Contains("一般社団法人ロータス協会", html, StringComparison.Ordinal);
        Assert.Contains("電話番号、住所", html, StringComparison.Ordinal);
        Assert.Contains("新商品・サービスのご案内", html, StringComparison.Ordinal);
        Assert.Contains("公表事項 第3版", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_string_is_escaped()
    {
        var report = Report(1);
        report.Provisions[0].RecipientNameJa = "<img src=x onerror=alert(1)>";

        var html = ProvisionReportDocument.Render(report);

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_without_provisions_says_so()
    {
        var html = ProvisionReportDocument.Render(new ProvisionReport { RequestId = "req_1", GeneratedAt = Timestamp.FromDateTimeOffset(Generated) });

        Assert.Contains("提供した記録はありません", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<table class=\"provisions\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Exceptional_provisions_name_the_authority_and_the_legal_ground()
    {
        var report = Report(0);
        report.Provisions.Add(new ReportedProvision
        {
            Sequence = 9,
            Time = Timestamp.FromDateTimeOffset(Generated),
            Provider = "garage-kaminoyama",
            ProviderNameJa = "株式会社上山オート",
            Recipient = "authority",
            Authority = "神奈川県警察 港北警察署",
            LegalBasis = "laws-and-regulations",
            Outcome = "exceptional",
            Items = { "contact.name" },
            ItemNamesJa = { "お名前" },
        });

        var html = ProvisionReportDocument.Render(report);

        Assert.Contains("神奈川県警察 港北警察署", html, StringComparison.Ordinal);
        Assert.Contains("法令に基づく場合", html, StringComparison.Ordinal);
        Assert.Contains("法令等に基づく提供", html, StringComparison.Ordinal);
    }

    // Looks at the document as a person would: rendered by Debian's Chromium, on screen and as an
    // A4 print. The screenshot and the PDF are kept under the test output's artifacts folder.
    [Fact]
    public async Task The_rendered_report_shows_every_provision_and_fits_an_A4_page_when_printed()
    {
        var report = Report(40);
        report.Provisions[0].RecipientNameJa = "<img src=x onerror=\"window.pwned=1\">";
        report.Checkpoint = "exchange.local/provision-log\n1300\nkJ4pQ2V4Y2hhbmdlLXRlc3Qtcm9vdC1oYXNoLTEyMzQ1Njc4OQ==\n\n— exchange.local/provision-log Az3bAAAA\n";
        var html = ProvisionReportDocument.Render(report, Declaration());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium(), Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1024, Height = 1400 } });
        await page.SetContentAsync(html);

        Assert.Equal("第三者提供記録の開示", await page.TitleAsync());
        Assert.Equal(40, await page.Locator("table.provisions tbody tr").CountAsync());
        var text = await page.Locator("body").InnerTextAsync();
        Assert.Contains("株式会社上山オート", text, StringComparison.Ordinal);
        Assert.Contains("新商品・サービスのご案内", text, StringComparison.Ordinal);
        Assert.Contains("Exchange 運営事務局", text, StringComparison.Ordinal);
        Assert.Contains("<img src=x", text, StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>("document.images.length"));
        Assert.True(await page.EvaluateAsync<bool>("window.pwned === undefined"));

        // Every column is wide enough to read: no cell squeezed below a few characters.
        var narrowest = await page.EvaluateAsync<double>("Math.min(...[...document.querySelectorAll('table.provisions th')].map(th => th.getBoundingClientRect().width))");
        Assert.True(narrowest > 60, $"the narrowest column is {narrowest}px wide");

        // Printed on A4 (794 CSS px wide): nothing runs off the page's right edge.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await page.SetViewportSizeAsync(794, 1123);
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the printed page is {overflow}px wider than A4");

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
        await page.SetViewportSizeAsync(1024, 1400);
        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "provision-report.png"), FullPage = false });
        var pdf = await page.PdfAsync(new() { Format = "A4", Path = Path.Combine(artifacts, "provision-report.pdf") });
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        var pages = System.Text.RegularExpressions.Regex.Count(System.Text.Encoding.Latin1.GetString(pdf), @"/Type\s*/Page[^s]");
        Assert.InRange(pages, 2, 20);
    }

    // CI installs Debian's chromium; Playwright's own browser download is unreachable here.
    private static string Chromium() =>
        Environment.GetEnvironmentVariable("EXCHANGE_CHROMIUM") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException("Chromium is not installed: apt-get install chromium fonts-noto-cjk (or set EXCHANGE_CHROMIUM).");

    private static ProvisionReport Report(int provisions)
    {
        var report = new ProvisionReport
        {
            RequestId = "req_5d1f0c2a",
            GeneratedAt = Timestamp.FromDateTimeOffset(Generated),
            SubjectIds = { "sub_0f3a9c", "sub_77b210" },
            Summary =
            {
                new ReportSummaryLine { Outcome = "received", Count = 12, First = Timestamp.FromDateTimeOffset(Generated.AddDays(-400)), Last = Timestamp.FromDateTimeOffset(Generated.AddDays(-2)) },
                new ReportSummaryLine { Outcome = "refused", Rule = "purpose.opted-out", Count = 1, First = Timestamp.FromDateTimeOffset(Generated.AddDays(-30)), Last = Timestamp.FromDateTimeOffset(Generated.AddDays(-30)) },
            },
        };
        for (var i = 0; i < provisions; i++)
        {
            report.Provisions.Add(new ReportedProvision
            {
                Sequence = 1000 + i,
                Time = Timestamp.FromDateTimeOffset(Generated.AddDays(i - provisions)),
                Provider = "garage-kaminoyama",
                ProviderNameJa = "株式会社上山オート",
                Recipient = "group-lotus",
                RecipientNameJa = "一般社団法人ロータス協会",
                Agent = i % 3 == 0 ? "vendor-broadleaf" : "",
                AgentNameJa = i % 3 == 0 ? "株式会社ブロードリーフ" : "",
                Items = { "contact.phone", "contact.address" },
                ItemNamesJa = { "電話番号", "住所" },
                Purpose = "marketing",
                PurposeJa = "新商品・サービスのご案内",
                DeclarationVersion = 3,
                Outcome = "provided",
                EntryHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
            });
        }

        return report;
    }

    private static DeclarationContent Declaration() => new()
    {
        Manager = new ResponsibleManager { Name = new LocalizedText { Ja = "一般社団法人ロータス協会", En = "Lotus Association" } },
        Inquiry = new InquiryContact { Name = new LocalizedText { Ja = "Exchange 運営事務局" }, Address = new LocalizedText { Ja = "東京都港区芝公園1-1-1" }, Phone = "03-0000-0000", Email = "privacy@exchange.example" },
    };
}
