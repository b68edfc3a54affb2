using Exchange.Domain.Certificates;
using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Host.Calls;
using Exchange.Host.Configuration;
using Exchange.Host.Pki;
using Exchange.Protocol.Identity;
using Exchange.Storage;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>Before the hub serves: migrate the database, register the bootstrap parties, remember the administrators, publish the shipped declaration (managed by the configured operator).</summary>
internal sealed class HubStartup(IServiceScopeFactory scopes, IOptions<HubOptions> options, HubCertificates certificates, HubKeys keys, RegisteredParties registered, IHostEnvironment environment, ILogger<HubStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Creating the keys here (not at the first call) makes a misconfigured key folder fail the start.
        _ = keys.Pseudonyms;
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;

        // Instances starting together on one PostgreSQL database migrate and seed one at a time.
        await using var starting = await services.GetRequiredService<StartupLock>().AcquireAsync(cancellationToken).ConfigureAwait(false);
        var database = services.GetRequiredService<IStorageInitializer>();
        await database.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var parties = new List<Party>();
        if (certificates.DevelopmentDirectory is not null)
        {
            parties.AddRange(DevelopmentPki.DevelopmentParties);
        }

        if (options.Value.BootstrapAdministrator is { Length: > 0 } admin)
        {
            parties.Add(new Party(admin, PartyRole.Administrator, PartyStatus.Active, "運営者", "Operator"));
        }

        await database.EnsurePartiesAsync(parties, cancellationToken).ConfigureAwait(false);
        // So that administrators can use the reserve of calls from their first call (AdministratorCallers).
        foreach (var known in await services.GetRequiredService<IPartyRegistryStore>().ListAsync(PartyRole.Administrator, null, cancellationToken).ConfigureAwait(false))
        {
            registered.Remember(known.Party);
        }

        if (certificates.DevelopmentDirectory is { } development)
        {
            // The hub accepts only recorded certificates; recorded, they are listed and revoked like issued ones.
            var recorded = await DevelopmentPki.RecordCertificatesAsync(development, services.GetRequiredService<CertificateRegistry>(), cancellationToken).ConfigureAwait(false);
            if (recorded > 0)
            {
                PkiLog.DevelopmentCertificatesRecorded(logger, recorded);
            }
        }

        if (options.Value is { BootstrapAdministrator: { Length: > 0 } administrator, BootstrapAdministratorCertificate: { } path }
            && await ExistingCertificates.RecordBootstrapAdministratorAsync(path, administrator, services.GetRequiredService<ClientCertificateValidator>(), services.GetRequiredService<CertificateRegistry>(), cancellationToken).ConfigureAwait(false))
        {
            PkiLog.BootstrapCertificateRecorded(logger, administrator, path);
        }

        // Version 1 names the body that runs the hub as responsible manager (not any one member garage).
        var isDevelopment = environment.IsDevelopment();
        var declaration = options.Value.Declaration;
        if (isDevelopment && !(declaration.Manager.IsSet && declaration.Inquiry.IsSet))
        {
            HostLog.DevelopmentDeclarationOperator(logger);
        }

        await services.GetRequiredService<DeclarationRegistry>().EnsureSeededAsync(DefaultDeclaration.Kaminoyama(declaration.ToOperator(isDevelopment)), cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
