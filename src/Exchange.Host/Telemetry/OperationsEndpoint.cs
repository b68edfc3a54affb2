using System.Net;
using Exchange.Host.Configuration;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Exchange.Host.Telemetry;

/// <summary>
/// The operations port: plain HTTP/1.1 without a client certificate, for load balancers, probes and
/// scrapers, serving <see cref="LivePath"/>, <see cref="ReadyPath"/> and <see cref="MetricsPath"/> and
/// nothing else; those paths answer 404 on every other port. Connections are told apart by a mark
/// their listener sets, so that it holds for port 0 too.
/// </summary>
internal static class OperationsEndpoint
{
    /// <summary>200 while the process serves HTTP at all: no check is run (a busy or cut-off hub is not a dead one).</summary>
    public const string LivePath = "/healthz/live";

    /// <summary>200 while the database, the provision log's writer and the call load allow more calls, else 503.</summary>
    public const string ReadyPath = "/healthz/ready";

    /// <summary>The Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    private const string ConnectionKey = "exchange.operations-endpoint";

    /// <summary>Listens on the operations port, when <paramref name="options"/> names one.</summary>
    public static void Listen(KestrelServerOptions kestrel, OperationsOptions options)
    {
        if (options.Port is not { } port)
        {
            return;
        }

        kestrel.Listen(IPAddress.Parse(options.Address), port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Items[ConnectionKey] = true;
                return next(connection);
            });
        });
    }

    /// <summary>Keeps the operations paths and the rest apart, and maps the health endpoints (and the metrics one when <paramref name="metrics"/>).</summary>
    public static void MapOperationsEndpoint(this WebApplication app, bool metrics)
    {
        app.Use((context, next) =>
        {
            var operations = context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionKey) == true;
            var path = context.Request.Path;
            if (operations != (path == LivePath || path == ReadyPath || path == MetricsPath))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = HubHealth.IsReadinessCheck });
        if (metrics)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath);
        }
    }
}
