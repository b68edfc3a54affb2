using System.Net;
using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Host.Tests.Telemetry;

/// <summary>The operations port: probes and scrapes over plain HTTP without a certificate, and nothing of the partners' services.</summary>
public sealed class OperationsEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> OperationsPort => new() { ["Exchange:Operations:Port"] = "0" };

    [Fact]
    public async Task Probes_and_metrics_answer_on_the_operations_port_without_a_client_certificate()
    {
        await using var hub = await TestHub.StartAsync(settings: OperationsPort);
        var operations = hub.OperationsAddress!;
        Assert.Equal("127.0.0.1", operations.Host);
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(operations, "/healthz/live"), Ct)).StatusCode);
        var ready = await http.GetAsync(new Uri(operations, "/healthz/ready"), Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(Ct));
        // The health checks' first periodic run comes a second after start.
        var metrics = await MetricsScrape.ReadAsync(operations);
        for (var i = 0; i < 50 && metrics.Sum("exchange_health_status", "check=database") == 0; i++)
        {
            await Task.Delay(100, Ct);
            metrics = await MetricsScrape.ReadAsync(operations);
        }

        Assert.Equal(1, metrics.Sum("exchange_health_status", "check=database"));
        Assert.Equal(1, metrics.Sum("exchange_health_status", "check=load-readiness"));
    }

    [Theory]
    [InlineData("POST", "/exchange.v1.Diagnostics/Ping")]
    [InlineData("POST", "/grpc.health.v1.Health/Check")]
    [InlineData("POST", "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")]
    [InlineData("GET", "/declaration")]
    [InlineData("GET", "/crl")]
    [InlineData("GET", "/")]
    public async Task Partner_services_and_public_pages_are_not_reachable_through_the_operations_port(string method, string path)
    {
        await using var hub = await TestHub.StartAsync(settings: OperationsPort);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(hub.OperationsAddress!, path));
        request.Content = method == "POST" ? new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { { "Content-Type", "application/grpc" } } } : null;

        var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/healthz/live")]
    [InlineData("/healthz/ready")]
    [InlineData("/metrics")]
    public async Task The_operations_paths_are_served_on_no_other_port(string path)
    {
        await using var hub = await TestHub.StartAsync(settings: OperationsPort);
        using var publicHttp = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        Assert.Equal(HttpStatusCode.NotFound, (await publicHttp.GetAsync(new Uri(hub.PublicAddress!, path), Ct)).StatusCode);

        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        handler.ClientCertificates.Add(hub.ClientCertificate("admin"));
        using var partnerHttp = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal(HttpStatusCode.NotFound, (await partnerHttp.GetAsync(new Uri(hub.Address, path), Ct)).StatusCode);
    }

    [Fact]
    public async Task There_is_no_operations_port_unless_configured()
    {
        await using var hub = await TestHub.StartAsync();

        Assert.Null(hub.OperationsAddress);
    }
}
