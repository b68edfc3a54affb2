using Exchange.Domain.Declarations;
using Exchange.Host.Pki;
using Exchange.Host.Services;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Exchange.Host;

/// <summary>
/// The public endpoint: HTTPS for anyone, no client certificate, serving the declaration page, its
/// JSON form, the CRL and the transparency log's checkpoint, key and proofs (GET and HEAD) and nothing else. Everything it answers, a 404 too, carries the security
/// headers: the page is static HTML that loads nothing (no script, style, image or frame), so its
/// Content-Security-Policy allows nothing.
/// </summary>
internal static class PublicEndpoint
{
    public const string DeclarationPath = "/declaration";

    /// <summary>The same notice as <see cref="DeclarationPath"/>, as JSON.</summary>
    public const string DeclarationJsonPath = "/declaration.json";

    private const string ConnectionKey = "exchange.public-endpoint";
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Marks the connections of <paramref name="listen"/> as public.</summary>
    public static void MarkPublic(ListenOptions listen) =>
        listen.Use(next => connection =>
        {
            connection.Items[ConnectionKey] = true;
            return next(connection);
        });

    /// <summary>On public connections: the security headers on every answer, and 404 for anything but the declaration (page and JSON), the CRL and <see cref="TransparencyEndpoints"/>.</summary>
    public static void UsePublicEndpoint(this WebApplication app) =>
        app.Use((context, next) =>
        {
            if (context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionKey) != true)
            {
                return next(context);
            }

            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            headers.StrictTransportSecurity = "max-age=31536000";
            headers["Referrer-Policy"] = "no-referrer";
            if (context.Request.Path != DeclarationPath && context.Request.Path != DeclarationJsonPath && context.Request.Path != PkiServiceCollectionExtensions.CrlPath
                && !context.Request.Path.StartsWithSegments(TransparencyEndpoints.Prefix.TrimEnd('/'), StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });

    /// <summary>
    /// Serves the declaration page at <see cref="DeclarationPath"/> and its JSON form at
    /// <see cref="DeclarationJsonPath"/>, to GET and HEAD (Kestrel sends a HEAD answer's headers and drops its body).
    /// </summary>
    public static void MapDeclarationPage(this IEndpointRouteBuilder app)
    {
        app.MapMethods(DeclarationPath, GetAndHead, (DeclarationRegistry registry, TimeProvider time, CancellationToken ct) => DeclarationPage.RenderAsync(registry, time, ct));
        app.MapMethods(DeclarationJsonPath, GetAndHead, (DeclarationRegistry registry, TimeProvider time, CancellationToken ct) => DeclarationJson.RenderAsync(registry, time, ct));
    }
}
