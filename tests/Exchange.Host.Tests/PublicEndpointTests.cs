using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests;

/// <summary>The public endpoint (HTTPS, no client certificate): HEAD, security headers, and a CRL signed again only when it must be.</summary>
public sealed class PublicEndpointTests : HubScenario
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private HttpClient? _http;

    private HttpClient Http => _http ??= Track(new HttpClient(MutualTlsChannel.CreateHandler(null, Hub.TrustAnchors)) { BaseAddress = Hub.PublicAddress });

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(_time);

    [Theory]
    [InlineData("/declaration")]
    [InlineData("/declaration.json")]
    [InlineData("/crl")]
    public async Task Head_answers_200_with_the_headers_of_get_and_no_body(string path)
    {
        using var get = await Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)), Ct);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync(Ct));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory]
    [InlineData("/declaration", HttpStatusCode.OK)]
    [InlineData("/declaration.json", HttpStatusCode.OK)]
    [InlineData("/crl", HttpStatusCode.OK)]
    [InlineData("/exchange.v1.Diagnostics/Ping", HttpStatusCode.NotFound)]
    [InlineData("/favicon.ico", HttpStatusCode.NotFound)]
    public async Task Every_answer_carries_the_security_headers(string path, HttpStatusCode status)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        var hsts = Header(response, "Strict-Transport-Security");
        Assert.StartsWith("max-age=", hsts, StringComparison.Ordinal);
        Assert.True(long.Parse(hsts["max-age=".Length..].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture) >= 31_536_000, hsts);
    }

    [Fact]
    public async Task Declaration_page_needs_nothing_its_content_security_policy_forbids()
    {
        var page = await Http.GetStringAsync(new Uri("/declaration", UriKind.Relative), Ct);

        // default-src 'none': no script, style, image, frame, font or form may load, inline or not.
        foreach (var loader in new[] { "<script", "<style", "style=", "<img", "<link", "<iframe", "<form", "<object", "<embed" })
        {
            Assert.DoesNotContain(loader, page, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotMatch(@"<[^>]*\son[a-z]+\s*=", page);
    }

    [Fact]
    public async Task Declaration_page_shows_the_version_under_notice_in_full_with_its_effective_time_and_every_past_version_with_the_inquiry_contact()
    {
        var effective = _time.GetUtcNow().AddDays(20);
        var v2 = await new Declarations.DeclarationsClient(Channel("admin")).PublishAsync(new PublishRequest { Content = NextVersion(), EffectiveAt = Timestamp.FromDateTimeOffset(effective) }, cancellationToken: Ct);
        string page = null!, later = null!;

        var (provisions, audit) = await Hub.TracesDuringAsync(async () =>
        {
            page = await Http.GetStringAsync(new Uri("/declaration", UriKind.Relative), Ct);
            _time.Advance(TimeSpan.FromDays(20));
            later = await Http.GetStringAsync(new Uri("/declaration", UriKind.Relative), Ct);
        });

        var underNotice = Section(page, "upcoming-2");
        Assert.Contains($"Published {v2.PublishedAt.ToDateTimeOffset():O}, takes effect {effective:O}", underNotice, StringComparison.Ordinal);
        Assert.Contains("代表理事 山田 太郎 / Taro Yamada, Representative Director", underNotice, StringComparison.Ordinal);
        Assert.Contains("保証修理のご案内のため。 / Notices about warranty repairs.", underNotice, StringComparison.Ordinal);
        Assert.Contains("<code>contact.name</code> お名前 / Name", underNotice, StringComparison.Ordinal);
        Assert.Contains("お問い合わせ窓口 / Inquiries", underNotice, StringComparison.Ordinal);
        Assert.Contains("メール / Email: inquiries@exchange.invalid", underNotice, StringComparison.Ordinal);
        Assert.DoesNotContain("Taro Yamada", Section(page, "in-force"), StringComparison.Ordinal);
        Assert.Contains("メール / Email: inquiries@exchange.invalid", Section(page, "in-force"), StringComparison.Ordinal);

        Assert.Contains("Taro Yamada", Section(later, "in-force"), StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"upcoming-", later, StringComparison.Ordinal);
        var past = Section(later, "past-1");
        Assert.Contains($"until {effective:O}", past, StringComparison.Ordinal);
        Assert.Contains("(development) no representative configured", past, StringComparison.Ordinal);
        Assert.Contains("<code>marketing</code>", past, StringComparison.Ordinal);
        Assert.DoesNotContain("warranty", past, StringComparison.Ordinal);
        Assert.Empty(provisions);
        Assert.Empty(audit);
    }

    [Fact]
    public async Task Declaration_json_states_the_same_notice_at_a_stable_url()
    {
        var effective = _time.GetUtcNow().AddDays(20);
        var v2 = await new Declarations.DeclarationsClient(Channel("admin")).PublishAsync(new PublishRequest { Content = NextVersion(), EffectiveAt = Timestamp.FromDateTimeOffset(effective) }, cancellationToken: Ct);
        HttpResponseMessage response = null!;
        byte[] later = null!;

        var (provisions, audit) = await Hub.TracesDuringAsync(async () =>
        {
            response = Track(await Http.GetAsync(new Uri("/declaration.json", UriKind.Relative), Ct));
            _time.Advance(TimeSpan.FromDays(20));
            later = await Http.GetByteArrayAsync(new Uri("/declaration.json", UriKind.Relative), Ct);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        using var now = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Ct));
        var root = now.RootElement;
        Assert.Equal(1, root.GetProperty("in_force_version").GetInt32());
        Assert.Equal([2], root.GetProperty("upcoming_versions").EnumerateArray().Select(v => v.GetInt32()));
        var versions = root.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["in-force", "upcoming"], versions.Select(v => v.GetProperty("state").GetString()));
        var upcoming = versions[1];
        Assert.Equal(effective.ToUniversalTime(), upcoming.GetProperty("effective_at").GetDateTimeOffset());
        Assert.Equal(v2.Hash, upcoming.GetProperty("hash").GetString());
        var content = upcoming.GetProperty("content");
        Assert.Equal("代表理事 山田 太郎", content.GetProperty("manager").GetProperty("representative").GetProperty("ja").GetString());
        Assert.Equal("Notices about warranty repairs.", content.GetProperty("purposes").EnumerateArray().Last().GetProperty("description").GetProperty("en").GetString());
        Assert.Equal(21, content.GetProperty("items").GetArrayLength());
        Assert.Equal(["group-lotus"], content.GetProperty("joint_users")[1].GetProperty("party_ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("inquiries@exchange.invalid", content.GetProperty("inquiry").GetProperty("email").GetString());
        Assert.Equal("Exchange 運営者 お問い合わせ窓口（開発用）", content.GetProperty("inquiry").GetProperty("name").GetProperty("ja").GetString());

        using var afterwards = JsonDocument.Parse(later);
        var states = afterwards.RootElement.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["past", "in-force"], states.Select(v => v.GetProperty("state").GetString()));
        Assert.Equal(effective.ToUniversalTime(), states[0].GetProperty("superseded_at").GetDateTimeOffset());
        Assert.Equal(2, afterwards.RootElement.GetProperty("in_force_version").GetInt32());
        Assert.Empty(provisions);
        Assert.Empty(audit);
    }

    [Fact]
    public async Task Crl_is_the_same_until_a_revocation_or_half_its_lifetime_and_is_signed_again_then()
    {
        using var first = await Http.GetAsync(new Uri("/crl", UriKind.Relative), Ct);
        _time.Advance(TimeSpan.FromMinutes(5));
        using var second = await Http.GetAsync(new Uri("/crl", UriKind.Relative), Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri("/crl", UriKind.Relative));
        conditional.Headers.IfNoneMatch.Add(second.Headers.ETag!);
        using var notModified = await Http.SendAsync(conditional, Ct);
        var serial = Certificate("vendor-broadleaf").SerialNumber;
        await Channel("admin").RevokeAsync(serial, CertificateRevocationReason.PrivilegeWithdrawn);
        using var revoked = await Http.GetAsync(new Uri("/crl", UriKind.Relative), Ct);
        _time.Advance(TimeSpan.FromHours(13));
        using var halfway = await Http.GetAsync(new Uri("/crl", UriKind.Relative), Ct);

        var (a, b, c, d) = (await Der(first), await Der(second), await Der(revoked), await Der(halfway));
        Assert.Equal(a, b);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(first.Content.Headers.LastModified, second.Content.Headers.LastModified);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.NotEqual(a, c);
        Assert.NotEqual(second.Headers.ETag, revoked.Headers.ETag);
        Assert.Equal([(serial, 9)], CrlReader.Read(c).Entries);
        Assert.NotEqual(c, d);
        Assert.Equal([(serial, 9)], CrlReader.Read(d).Entries);
        Assert.Equal(CacheControlHeaderValue.Parse("public, max-age=60"), revoked.Headers.CacheControl);
    }

    /// <summary>The shipped declaration with a new representative and a new purpose: what notice may change.</summary>
    private static DeclarationContent NextVersion()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Manager.Representative = new LocalizedText { Ja = "代表理事 山田 太郎", En = "Taro Yamada, Representative Director" };
        content.Purposes.Add(new DeclaredPurpose { Id = "warranty", Description = new LocalizedText { Ja = "保証修理のご案内のため。", En = "Notices about warranty repairs." }, OptOutAllowed = true });
        return content;
    }

    /// <summary>The HTML of the section with id <paramref name="id"/>.</summary>
    private static string Section(string page, string id)
    {
        var start = page.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id} in:\n{page}");
        return page[start..page.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"no {name} header in the {(int)response.StatusCode} answer");

    private static async Task<byte[]> Der(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }
}
