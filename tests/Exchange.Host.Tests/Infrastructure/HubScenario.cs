using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// A test class with a hub of its own per test. The channels and certificates a test opens through
/// it are disposed after the test, before the hub stops.
/// </summary>
public abstract class HubScenario : IAsyncLifetime
{
    private readonly List<IDisposable> _disposables = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TestHub Hub { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Hub = await StartHubAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await Hub.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the hub each test runs against; override to drive its clock or settings.</summary>
    protected virtual Task<TestHub> StartHubAsync() => TestHub.StartAsync();

    /// <summary>A channel calling the hub as a development party.</summary>
    protected GrpcChannel Channel(string party) => Track(Hub.Channel(party));

    /// <summary>A channel presenting <paramref name="certificate"/>.</summary>
    protected GrpcChannel Channel(X509Certificate2 certificate) => Track(Hub.Channel(certificate));

    /// <summary>A development party's certificate with its key.</summary>
    protected X509Certificate2 Certificate(string party) => Track(Hub.ClientCertificate(party));

    /// <summary>Registers a member garage and issues it a certificate as an administrator would; a channel calling as it.</summary>
    protected async Task<GrpcChannel> NewGarageChannelAsync(string partyId)
    {
        var admin = Channel("admin");
        await admin.AddPartyAsync(partyId);
        var keys = Track(new PartnerKeys(partyId));
        var issued = await admin.IssueAsync(partyId, keys);
        return Channel(Track(keys.Certificate(issued.CertificatePem)));
    }

    protected T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
