using Exchange.Domain.Staff;
using Exchange.Host.Configuration;
using Exchange.Host.Pki;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Exchange.Host.Staff;

namespace Exchange.Host.Console;

/// <summary>
/// Creates the first operator when <see cref="ConsoleOptions.BootstrapOperator"/> names one that does
/// not exist yet (in Development: <c>operator</c> unless configured), with a one-time password written to the log.
/// Runs after <see cref="HubStartup"/> has migrated the database and registered the administrator party.
/// </summary>
internal sealed class ConsoleBootstrap(IServiceProvider services, IOptions<ConsoleOptions> console, IOptions<HubOptions> hub, HubCertificates certificates, ILogger<ConsoleBootstrap> logger) : IHostedService
{
    public const string DevelopmentOperator = "operator";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var development = certificates.DevelopmentDirectory is not null;
        var name = console.Value.BootstrapOperator ?? (development ? DevelopmentOperator : null);
        var party = hub.Value.BootstrapAdministrator ?? (development ? DevelopmentPki.DevelopmentParties.First(p => p.Role == Domain.Parties.PartyRole.Administrator).Id : null);
        if (console.Value.Listen is null || name is null || party is null)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffAccount>>();
        if (await users.FindByNameAsync(name).ConfigureAwait(false) is not null)
        {
            return;
        }

        var account = new StaffAccount { Id = StaffMember.NewId(), UserName = name, PartyId = party, DisplayName = "運営者 / Operator", Role = StaffRole.PartyAdministrator };
        var password = StaffAdministration.OneTimePassword();
        var result = await users.CreateAsync(account, password).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("the first operator could not be created: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }

        ConsoleLog.BootstrapOperatorCreated(logger, account.Id, party, password);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
