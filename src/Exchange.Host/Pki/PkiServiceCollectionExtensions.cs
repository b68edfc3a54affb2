using System.Security.Cryptography;
using Exchange.Domain;
using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Exchange.Host.Configuration;
using Exchange.Protocol.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Exchange.Host.Pki;

/// <summary>Wires the partner registry, the certificate authority and the per-call standing checks.</summary>
internal static class PkiServiceCollectionExtensions
{
    public static IServiceCollection AddHubPki(this IServiceCollection services)
    {
        services.AddSingleton<HubIssuingAuthority>();
        services.AddSingleton<ICertificateIssuer>(sp => sp.GetRequiredService<HubIssuingAuthority>());
        services.AddSingleton(sp => new CertificateSettings { ClientCertificateLifetime = sp.GetRequiredService<IOptions<HubOptions>>().Value.Pki.ClientCertificateLifetime });
        services.AddScoped<CertificateRegistry>();
        services.AddScoped<PartnerRegistry>();
        services.AddScoped<HubAuditTrail>();
        services.AddSingleton<ICertificateStatusSource, RegistryCertificateStatusSource>();
        services.AddSingleton<IHandshakeCertificateCheck, RegistryCertificateHandshakeCheck>();
        return services;
    }

    /// <summary>Where the CRL is served.</summary>
    public const string CrlPath = "/crl";

    /// <summary>
    /// Serves the CRL (DER, <c>application/pkix-crl</c>) at <see cref="CrlPath"/> to GET and HEAD: on
    /// the public endpoint for anyone, like the declaration page. The CRL is signed again only when
    /// the revocations change or it is half way to its nextUpdate (<see cref="HubIssuingAuthority.BuildCrl"/>),
    /// so it carries a stable ETag and Last-Modified (its thisUpdate), and conditional requests get 304.
    /// </summary>
    public static void MapCrl(this IEndpointRouteBuilder app) =>
        app.MapMethods(CrlPath, [HttpMethods.Get, HttpMethods.Head], async (CertificateRegistry registry, HttpResponse response, TimeProvider time, CancellationToken ct) =>
        {
            try
            {
                var crl = await registry.CrlAsync(ct).ConfigureAwait(false);
                // A minute at most, and never past its nextUpdate: a revocation is published at once.
                var maxAge = (long)Math.Clamp((crl.NextUpdate - time.GetUtcNow()).TotalSeconds, 0, 60);
                response.Headers.CacheControl = $"public, max-age={maxAge}";
                var tag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(crl.Der), 0, 16) + "\"");
                return Results.Bytes(crl.Der, "application/pkix-crl", lastModified: crl.ThisUpdate, entityTag: tag);
            }
            catch (ExchangeException e) when (e.Kind == FailureKind.FailedPrecondition)
            {
                return Results.Text(e.Message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
}
