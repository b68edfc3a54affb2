using System.Net;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

public sealed class DeclarationsServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _hub = await TestHub.StartAsync(_time);

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    private Declarations.DeclarationsClient Client(string party) => new(_hub.Channel(party));

    private static DeclarationContent WithoutMarketing()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Purposes.Remove(content.Purposes.Single(p => p.Id == "marketing"));
        return content;
    }

    [Fact]
    public async Task Hub_ships_with_the_kaminoyama_declaration_in_force()
    {
        var current = await Client("vendor-broadleaf").GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct);

        Assert.Equal(1, current.Version);
        Assert.Equal(["statistics", "marketing", "service-planning", "management-advice", "recall"], current.Content.Purposes.Select(p => p.Id));
        Assert.Equal(21, current.Content.Items.Count);
        Assert.Equal(["member-garage", "group-body", "vendor"], current.Content.JointUsers.Select(u => u.Role));
        Assert.Equal("株式会社上山オート", current.Content.Manager.Name.Ja);
        Assert.False(current.Content.Purposes.Single(p => p.Id == "recall").OptOutAllowed);
        Assert.Equal(64, current.Hash.Length);
    }

    [Fact]
    public async Task Version_published_with_less_than_the_notice_period_is_refused()
    {
        var admin = Client("admin");
        var request = new PublishRequest { Content = WithoutMarketing(), EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(13)) };

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.PublishAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("minimum notice period (14 days)", error.Status.Detail, StringComparison.Ordinal);
        Assert.Single((await admin.ListVersionsAsync(new ListVersionsRequest(), cancellationToken: Ct)).Versions);
    }

    [Fact]
    public async Task Declaration_naming_an_item_the_schema_lacks_is_refused()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Items.Add(new DeclaredItem { Id = "contact.religion", Name = new LocalizedText { Ja = "宗教", En = "Religion" } });

        var error = await Assert.ThrowsAsync<RpcException>(() => Client("admin").PublishAsync(new PublishRequest { Content = content, EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(30)) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'contact.religion' is not an item of the schema", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_administrators_publish()
    {
        var request = new PublishRequest { Content = WithoutMarketing(), EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(30)) };

        var error = await Assert.ThrowsAsync<RpcException>(() => Client("group-lotus").PublishAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Published_version_takes_effect_at_its_effective_time_and_calls_are_judged_by_the_version_then_in_force()
    {
        var admin = Client("admin");
        var garage = new Records.RecordsClient(_hub.Channel("garage-kaminoyama"));
        var lotus = new Records.RecordsClient(_hub.Channel("group-lotus"));
        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        var read = new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } };

        var v2 = await admin.PublishAsync(new PublishRequest { Content = WithoutMarketing(), EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(15)) }, cancellationToken: Ct);
        Assert.Equal(2, v2.Version);

        // Published but not yet in force: version 1 still governs.
        Assert.Equal(1, (await admin.GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct)).Version);
        var before = await lotus.GetCustomerAsync(read, cancellationToken: Ct);
        Assert.Equal(1, before.DeclarationVersion);

        _time.Advance(TimeSpan.FromDays(15));

        Assert.Equal(2, (await admin.GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct)).Version);
        var error = await Assert.ThrowsAsync<RpcException>(() => lotus.GetCustomerAsync(read, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("purpose.undeclared", error.Status.Detail, StringComparison.Ordinal);

        var entries = (await _hub.ReadAllAsync()).Select(e => e.Fact).Where(f => f.Purpose == "marketing").ToList();
        Assert.Equal(2, entries.Count);
        var v1Hash = (await admin.ListVersionsAsync(new ListVersionsRequest(), cancellationToken: Ct)).Versions[0].Hash;
        Assert.Equal((ProvisionOutcome.Provided, 1, v1Hash), (entries[0].Outcome, entries[0].DeclarationVersion, entries[0].DeclarationHash));
        Assert.Equal((ProvisionOutcome.Refused, 2, v2.Hash), (entries[1].Outcome, entries[1].DeclarationVersion, entries[1].DeclarationHash));
        Assert.True(v2.PublishedAt.ToDateTimeOffset() < v2.EffectiveAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task Public_page_shows_the_version_in_force_over_https_without_a_client_certificate()
    {
        await Client("admin").PublishAsync(new PublishRequest { Content = WithoutMarketing(), EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(20)) }, cancellationToken: Ct);
        using var http = new HttpClient(MutualTlsChannel.CreateHandler(null, _hub.TrustAnchors)) { BaseAddress = _hub.PublicAddress };

        var page = await http.GetStringAsync(new Uri("/declaration", UriKind.Relative), Ct);

        Assert.Contains("第1版", page, StringComparison.Ordinal);
        Assert.Contains("Version 1, in force", page, StringComparison.Ordinal);
        Assert.Contains("株式会社ブロードリーフ", page, StringComparison.Ordinal);
        Assert.Contains("Informing owners of recalled vehicles", page, StringComparison.Ordinal);
        Assert.Contains("予定 / upcoming", page, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromDays(20));
        var later = await http.GetStringAsync(new Uri("/declaration", UriKind.Relative), Ct);
        Assert.Contains("Version 2, in force", later, StringComparison.Ordinal);
        Assert.DoesNotContain("<code>marketing</code>", later.Split("版の履歴")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_endpoint_serves_nothing_but_the_declaration()
    {
        using var http = new HttpClient(MutualTlsChannel.CreateHandler(null, _hub.TrustAnchors)) { BaseAddress = _hub.PublicAddress };

        using var response = await http.PostAsync(new Uri("/exchange.v1.Diagnostics/Ping", UriKind.Relative), new ByteArrayContent([0, 0, 0, 0, 0]), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
