using Exchange.Domain;
using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Exchange.Host.Configuration;
using Exchange.Protocol.Identity;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Serves the CRL (DER, <c>application/pkix-crl</c>) at <c>/crl</c>: on the public endpoint for
    /// anyone, like the declaration page.
    /// </summary>
    public static void MapCrl(this IEndpointRouteBuilder app) =>
        app.MapGet("/crl", async (CertificateRegistry registry, HttpResponse response, CancellationToken ct) =>
        {
            try
            {
                var crl = await registry.CrlAsync(ct).ConfigureAwait(false);
                response.Headers.CacheControl = "public, max-age=60";
                return Results.Bytes(crl.Der, "application/pkix-crl");
            }
            catch (ExchangeException e) when (e.Kind == FailureKind.FailedPrecondition)
            {
                return Results.Text(e.Message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
}
