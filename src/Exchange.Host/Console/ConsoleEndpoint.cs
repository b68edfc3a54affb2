using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Exchange.Host.Console;

/// <summary>
/// The console's own listener, modelled on <see cref="PublicEndpoint"/>: its connections are marked,
/// serve only the console (and the token service's authorization endpoint, which signs people in
/// with the console's session) and carry the security headers; partner and public connections
/// never serve the console.
/// </summary>
internal static class ConsoleEndpoint
{
    /// <summary>Where the console's pages live.</summary>
    public const string Prefix = "/console";

    /// <summary>The token service's authorization endpoint, which authenticates people with the console's cookie.</summary>
    public const string AuthorizePath = "/connect/authorize";

    private const string ConnectionKey = "exchange.console-endpoint";

    /// <summary>Listens for the console at <paramref name="endPoint"/> with the hub's server certificate, no client certificate.</summary>
    public static void Listen(KestrelServerOptions kestrel, System.Net.IPEndPoint endPoint, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, ConsoleListener listener) =>
        kestrel.Listen(endPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https => https.ServerCertificate = certificate);
            listen.Use(next => connection =>
            {
                connection.Items[ConnectionKey] = true;
                return next(connection);
            });
            listener.Options = listen;
        });

    /// <summary>True on a connection to the console's listener.</summary>
    public static bool IsConsoleConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionKey) == true;

    /// <summary>True for the console's pages and the authorization endpoint.</summary>
    public static bool IsConsolePath(PathString path) =>
        path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(AuthorizePath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Console connections: security headers on every answer and 404 for anything but the console.
    /// Other connections: 404 for the console's paths.
    /// </summary>
    public static void UseConsoleEndpoint(this WebApplication app) =>
        app.Use((context, next) =>
        {
            if (!IsConsoleConnection(context))
            {
                if (IsConsolePath(context.Request.Path))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            }

            var headers = context.Response.Headers;
            // form-action covers the redirects after a form too: signing in on the way to /connect/authorize ends at
            // the party system's loopback listener (the only redirect URIs the token service accepts).
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self' http://127.0.0.1:* http://[::1]:*; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.StrictTransportSecurity = "max-age=31536000";
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (!IsConsolePath(context.Request.Path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
}
