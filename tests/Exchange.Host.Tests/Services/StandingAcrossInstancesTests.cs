using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Two hub instances on one database. A certificate revoked, a party suspended, a grant removed, a
/// vendor's authorisation revoked or a narrowing declaration published through the first refuses the
/// very next call at the second. The hubs' clock stands still, so nothing here can be a cache that
/// merely expired.
/// </summary>
public abstract class StandingAcrossInstancesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<IDisposable> _disposables = [];
    private TestHub _first = null!;
    private TestHub _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _first = await TestHub.StartAsync(_time, provider: provider);
        _second = await TestHub.StartAsync(_time, settings: new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Path.Combine(_first.Directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = _first.CertificateDirectory,
            ["Exchange:Database:Provider"] = provider.ToString(),
            ["Exchange:Database:ConnectionString"] = _first.PostgresConnectionString,
        });
        await Records(_first, Garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _disposables.ForEach(d => d.Dispose());
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Certificate_revoked_through_one_instance_is_refused_on_the_next_call_at_the_other()
    {
        var onSecond = Channel(_second, Garage);
        Assert.Equal(Garage, (await onSecond.PingAsync()).PartyId);

        using var certificate = _first.ClientCertificate(Garage);
        await Channel(_first, "admin").RevokeAsync(certificate.SerialNumber);

        Assert.Equal(StatusCode.Unauthenticated, (await Refusals.FailsAsync(onSecond.PingAsync)).StatusCode);
    }

    [Fact]
    public async Task Party_suspended_through_one_instance_is_refused_on_the_next_call_at_the_other()
    {
        var lotus = Records(_second, "group-lotus");
        await lotus.GetCustomerAsync(MarketingRead(), cancellationToken: Ct);

        await new Partners.PartnersClient(Channel(_first, "admin")).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "group-lotus" }, cancellationToken: Ct);

        var error = await Refusals.FailsAsync(() => lotus.GetCustomerAsync(MarketingRead(), cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "party.inactive"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
    }

    [Fact]
    public async Task Grant_changed_through_one_instance_governs_the_next_call_at_the_other()
    {
        var grants = new Grants.GrantsClient(Channel(_first, "admin"));
        var vendor = Records(_second, Vendor);
        var before = await Refusals.FailsAsync(() => vendor.GetCustomerAsync(NameRead(), cancellationToken: Ct).ResponseAsync);

        await grants.SetGrantAsync(new Contracts.V1.Grant { PartyId = Vendor, Purpose = "marketing", Items = { "contact.name" } }, cancellationToken: Ct);
        var granted = await vendor.GetCustomerAsync(NameRead(), cancellationToken: Ct);
        await grants.RemoveGrantAsync(new RemoveGrantRequest { PartyId = Vendor, Purpose = "marketing" }, cancellationToken: Ct);
        var removed = await Refusals.FailsAsync(() => vendor.GetCustomerAsync(NameRead(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, before.StatusCode);
        Assert.Equal(["contact.name"], granted.Items);
        Assert.Equal(StatusCode.PermissionDenied, removed.StatusCode);
    }

    [Fact]
    public async Task Vendor_authorisation_revoked_through_one_instance_is_refused_on_the_next_call_at_the_other()
    {
        var authorisation = await new Partners.PartnersClient(Channel(_first, Garage)).GrantAuthorisationAsync(
            new GrantAuthorisationRequest { GarageParty = Garage, VendorParty = Vendor, Operations = { "write" } }, cancellationToken: Ct);
        var vendor = Records(_second, Vendor);
        var record = Sample.Customer("C002");
        record.OwnerParty = Garage;
        await vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);

        await new Partners.PartnersClient(Channel(_first, Garage)).RevokeAuthorisationAsync(new RevokeAuthorisationRequest { AuthorisationId = authorisation.AuthorisationId }, cancellationToken: Ct);

        var error = await Refusals.FailsAsync(() => vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "vendor.not-authorised"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
    }

    [Fact]
    public async Task Narrowing_declaration_published_through_one_instance_governs_the_next_call_at_the_other()
    {
        // Version 1 took effect when the hubs started: the next is published a minute later, and the
        // clock stays there, so the second hub's cached versions never grow old.
        _time.Advance(TimeSpan.FromMinutes(1));
        var lotus = Records(_second, "group-lotus");
        await lotus.GetCustomerAsync(MarketingRead(), cancellationToken: Ct);
        var withoutMarketing = DefaultDeclaration.Kaminoyama();
        withoutMarketing.Purposes.Remove(withoutMarketing.Purposes.Single(p => p.Id == "marketing"));

        await new Declarations.DeclarationsClient(Channel(_first, "admin")).PublishAsync(
            new PublishRequest { Content = withoutMarketing, EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) }, cancellationToken: Ct);

        var error = await Refusals.FailsAsync(() => lotus.GetCustomerAsync(MarketingRead(), cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "purpose.undeclared"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
    }

    private static GetCustomerRequest MarketingRead() =>
        new() { Purpose = "marketing", OwnerParty = Garage, CustomerRef = "C001", Items = { "contact" } };

    private static GetCustomerRequest NameRead() =>
        new() { Purpose = "marketing", OwnerParty = Garage, CustomerRef = "C001", Items = { "contact.name" } };

    // The second hub shares the first one's development PKI: calls to either present the first one's certificates.
    private GrpcChannel Channel(TestHub hub, string party)
    {
        var channel = _first.ChannelTo(hub, party);
        _disposables.Add(channel);
        return channel;
    }

    private Records.RecordsClient Records(TestHub hub, string party) => new(Channel(hub, party));
}

/// <summary>Two hub instances sharing one SQLite file.</summary>
public sealed class StandingAcrossInstancesOnSqliteTests() : StandingAcrossInstancesTests(DatabaseProvider.Sqlite);

/// <summary>Two hub instances on one PostgreSQL database.</summary>
public sealed class StandingAcrossInstancesOnPostgresTests() : StandingAcrossInstancesTests(DatabaseProvider.Postgres);
