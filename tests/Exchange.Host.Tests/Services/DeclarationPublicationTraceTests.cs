using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>Publishing a declaration version leaves a trace in the hub's audit log: version, hash, times and what changed; a refused publication leaves none.</summary>
public sealed class DeclarationPublicationTraceTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub;

    [Fact]
    public async Task Publication_records_its_version_hash_times_and_what_changed_against_the_version_before_and_a_refused_one_records_nothing()
    {
        using var channel = Hub.Channel("admin");
        using var lotus = Hub.Channel("group-lotus");
        var admin = new Declarations.DeclarationsClient(channel);
        var v1 = await admin.GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct);
        var content = v1.Content.Clone();
        content.Purposes.Remove(content.Purposes.Single(p => p.Id == "marketing"));
        content.Items.Remove(content.Items.Single(i => i.Id == "contact.fax"));
        content.Manager.Representative = new LocalizedText { Ja = "代表取締役 山田 花子", En = "Hanako Yamada, Representative Director" };
        DeclarationVersion? v2 = null;

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            var early = await Refusals.FailsAsync(() => admin.PublishAsync(new PublishRequest { Content = content, EffectiveAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) }, cancellationToken: Ct).ResponseAsync);
            var partner = await Refusals.FailsAsync(() => new Declarations.DeclarationsClient(lotus).PublishAsync(new PublishRequest { Content = content, EffectiveAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)) }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, StatusCode.PermissionDenied), (early.StatusCode, partner.StatusCode));
            v2 = await admin.PublishAsync(new PublishRequest { Content = content, EffectiveAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(15)) }, cancellationToken: Ct);
        });

        Assert.Empty(entries);
        var published = Assert.Single(events);
        Assert.Equal(("admin", "declaration.published", "declaration/2"), (published.Actor, published.Action, published.Subject));
        var was = v1.Content.Manager.Representative;
        Assert.Equal(
            $"version 2, hash {v2!.Hash}, published {AuditTime.Format(v2.PublishedAt.ToDateTimeOffset())}, effective {AuditTime.Format(v2.EffectiveAt.ToDateTimeOffset())}; "
            + $"against version {v1.Version}: items removed: contact.fax; purposes removed: marketing; manager representative: {was.Ja} / {was.En} -> 代表取締役 山田 花子 / Hanako Yamada, Representative Director",
            published.Details);
        Assert.Equal(AuditTime.Format(v2.PublishedAt.ToDateTimeOffset()), AuditTime.Format(published.Time));
    }
}
