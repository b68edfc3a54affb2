using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Tokens;

/// <summary>Two hub instances sharing one database and one data folder's keys: a token issued by one works at the other, and a withdrawal through one ends it at the other.</summary>
public sealed class TokensAcrossInstancesTests : IAsyncLifetime
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";
    private readonly List<IDisposable> _disposables = [];
    private TestHub _first = null!;
    private TestHub _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _first = await TestHub.StartAsync();
        _second = await TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Path.Combine(_first.Directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = _first.CertificateDirectory,
        });
    }

    public async ValueTask DisposeAsync()
    {
        _disposables.ForEach(d => d.Dispose());
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    [Fact]
    public async Task A_vendors_token_for_a_garage_issued_by_one_instance_works_at_the_other_until_withdrawn_through_the_first()
    {
        var garage = Track(_first.Channel(Garage));
        var authorisation = await new Partners.PartnersClient(garage).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read" } }, cancellationToken: Ct);
        var certificate = Track(_first.ClientCertificate(Vendor));
        var own = await TokenEndpoint.ClientCredentialsAsync(_first, certificate, Vendor);
        var (_, body) = await TokenEndpoint.PostAsync(_first, certificate, ("grant_type", TokenEndpoint.Exchange), ("client_id", Vendor), ("subject_token", own), ("subject_token_type", TokenEndpoint.AccessTokenType), ("audience", Garage));
        var forGarage = body.GetProperty("access_token").GetString()!;
        var atSecond = new Diagnostics.DiagnosticsClient(Track(_first.ChannelTo(_second, Vendor)));

        Assert.Equal(Vendor, (await atSecond.PingAsync(new PingRequest(), TokenEndpoint.Bearer(forGarage))).PartyId);
        await new Partners.PartnersClient(garage).RevokeAuthorisationAsync(new RevokeAuthorisationRequest { AuthorisationId = authorisation.AuthorisationId }, cancellationToken: Ct);
        var refused = await Refusals.FailsAsync(() => atSecond.PingAsync(new PingRequest(), TokenEndpoint.Bearer(forGarage)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
