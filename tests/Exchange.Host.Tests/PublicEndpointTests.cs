using System.Net;
using System.Net.Http.Headers;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
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
