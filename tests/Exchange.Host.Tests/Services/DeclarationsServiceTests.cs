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

    private static PublishRequest Publish(DeclarationContent content, DateTimeOffset effectiveAt) => new() { Content = content, EffectiveAt = Timestamp.FromDateTimeOffset(effectiveAt) };

    private static DeclarationContent WithNewRepresentative()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Manager.Representative = new LocalizedText { Ja = "代表理事 山田 太郎", En = "Taro Yamada, Representative Director" };
        return content;
    }

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
        Assert.Equal([[], ["group-lotus"], ["vendor-broadleaf"]], current.Content.JointUsers.Select(u => u.PartyIds.ToArray()));
        Assert.Equal("Exchange 運営者（開発用・実在しません）", current.Content.Manager.Name.Ja);
        Assert.Equal("inquiries@exchange.invalid", current.Content.Inquiry.Email);
        Assert.False(current.Content.Purposes.Single(p => p.Id == "recall").OptOutAllowed);
        Assert.Equal(64, current.Hash.Length);
    }

    [Fact]
    public async Task Version_changing_the_manager_published_with_less_than_the_notice_period_is_refused()
    {
        var admin = Client("admin");
        var request = new PublishRequest { Content = WithNewRepresentative(), EffectiveAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(13)) };

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
    public async Task Version_that_adds_an_item_or_a_joint_user_is_refused_naming_the_clause_and_leaves_no_trace()
    {
        var admin = Client("admin");
        var withoutFax = DefaultDeclaration.Kaminoyama();
        withoutFax.Items.Remove(withoutFax.Items.Single(i => i.Id == "contact.fax"));
        _time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await admin.PublishAsync(Publish(withoutFax, _time.GetUtcNow()), cancellationToken: Ct);
        var withFaxAgain = DefaultDeclaration.Kaminoyama();
        var withAnotherVendor = withoutFax.Clone();
        withAnotherVendor.JointUsers.Single(u => u.Role == "vendor").PartyIds.Add("vendor-other");
        RpcException item = null!, user = null!;

        var (provisions, audit) = await _hub.TracesDuringAsync(async () =>
        {
            item = await Assert.ThrowsAsync<RpcException>(() => admin.PublishAsync(Publish(withFaxAgain, _time.GetUtcNow().AddDays(30)), cancellationToken: Ct).ResponseAsync);
            user = await Assert.ThrowsAsync<RpcException>(() => admin.PublishAsync(Publish(withAnotherVendor, _time.GetUtcNow().AddDays(30)), cancellationToken: Ct).ResponseAsync);
        });

        Assert.Equal(StatusCode.FailedPrecondition, item.StatusCode);
        Assert.Equal("declaration.addition-needs-consent", item.Trailers.GetValue("exchange-rule"));
        Assert.Contains("adds item 'contact.fax' to version 2", item.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("APPI Art. 27(6)", item.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Art. 27(5)(iii)", item.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("(rule declaration.addition-needs-consent)", item.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, user.StatusCode);
        Assert.Equal("declaration.addition-needs-consent", user.Trailers.GetValue("exchange-rule"));
        Assert.Contains("adds joint user vendor 'vendor-other' to version 2", user.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(provisions);
        Assert.Empty(audit);
        Assert.Equal([1, v2.Version], (await admin.ListVersionsAsync(new ListVersionsRequest(), cancellationToken: Ct)).Versions.Select(v => v.Version));

        // What notice may change (the manager, the purposes) is published, with the notice period.
        var byNotice = withoutFax.Clone();
        byNotice.Manager = WithNewRepresentative().Manager;
        byNotice.Purposes.Add(new DeclaredPurpose { Id = "warranty", Description = new LocalizedText { Ja = "保証修理のご案内のため。", En = "Notices about warranty repairs." }, OptOutAllowed = true });
        var early = await Assert.ThrowsAsync<RpcException>(() => admin.PublishAsync(Publish(byNotice, _time.GetUtcNow().AddDays(14).AddMinutes(-1)), cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "declaration.publication"), (early.StatusCode, early.Trailers.GetValue("exchange-rule")));
        Assert.Equal(3, (await admin.PublishAsync(Publish(byNotice, _time.GetUtcNow().AddDays(14)), cancellationToken: Ct)).Version);
    }

    [Fact]
    public async Task Narrowing_version_takes_effect_at_once_and_the_next_read_is_refused_under_it()
    {
        var admin = Client("admin");
        var garage = new Records.RecordsClient(_hub.Channel("garage-kaminoyama"));
        var lotus = new Records.RecordsClient(_hub.Channel("group-lotus"));
        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        DeclarationVersion v2 = null!;
        RpcException error = null!;

        var (published, publishedAudit) = await _hub.TracesDuringAsync(async () => v2 = await admin.PublishAsync(Publish(WithoutMarketing(), _time.GetUtcNow()), cancellationToken: Ct));
        var (provisions, audit) = await _hub.TracesDuringAsync(async () =>
            error = await Assert.ThrowsAsync<RpcException>(() => lotus.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync));

        Assert.Equal(2, (await admin.GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct)).Version);
        Assert.Equal(v2.PublishedAt, v2.EffectiveAt);
        Assert.Equal((StatusCode.PermissionDenied, "purpose.undeclared"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
        Assert.Empty(published);
        var recorded = Assert.Single(publishedAudit);
        Assert.Equal(("admin", "declaration.published", "declaration/2"), (recorded.Actor, recorded.Action, recorded.Subject));
        Assert.EndsWith("against version 1: purposes removed: marketing", recorded.Details, StringComparison.Ordinal);
        var refusal = Assert.Single(provisions);
        Assert.Equal(("garage-kaminoyama", "group-lotus", "marketing", ProvisionOutcome.Refused, "purpose.undeclared", 2, v2.Hash), (refusal.Provider, refusal.Recipient, refusal.Purpose, refusal.Outcome, refusal.Rule, refusal.DeclarationVersion, refusal.DeclarationHash));
        Assert.Empty(audit);
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
