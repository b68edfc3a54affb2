using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Domain.Tests.Declarations;

public sealed class DeclarationRegistryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private static readonly CallContext Admin = new(new Party("admin", PartyRole.Administrator, PartyStatus.Active, "管理者", "Administrator"), "call-1");
    private readonly ListStore _store = new();
    private readonly ListAudit _audit = new();

    private DeclarationRegistry Registry() => new(_store, _time, new DeclarationSettings { MinimumNotice = TimeSpan.FromDays(14) }, _audit, new NoTransaction());

    [Fact]
    public async Task Version_in_force_follows_the_clock()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(CancellationToken.None);
        var v2 = await registry.PublishAsync(Admin, DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(14), CancellationToken.None);

        Assert.Equal(1, (await registry.InForceAsync(_time.GetUtcNow().AddDays(14).AddTicks(-1), CancellationToken.None)).Version);
        Assert.Equal(2, (await registry.InForceAsync(v2.EffectiveAt, CancellationToken.None)).Version);
        Assert.NotEqual(_store.Versions[0].Hash, v2.Hash);
    }

    [Fact]
    public async Task Recall_purpose_cannot_allow_opt_out()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Purposes.Single(p => p.Id == "recall").OptOutAllowed = true;

        var error = await Assert.ThrowsAsync<ExchangeException>(() => Registry().PublishAsync(Admin, content, _time.GetUtcNow().AddDays(30), CancellationToken.None));

        Assert.Contains("recall purpose cannot allow opt-out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_version_cannot_take_effect_before_the_previous_one()
    {
        var registry = Registry();
        await registry.PublishAsync(Admin, DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(60), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(30), CancellationToken.None));

        Assert.Contains("must be after version 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_covers_content_and_times()
    {
        var a = new DeclarationRecord(1, _time.GetUtcNow(), _time.GetUtcNow(), DefaultDeclaration.Kaminoyama());
        var b = new DeclarationRecord(1, _time.GetUtcNow(), _time.GetUtcNow().AddSeconds(1), DefaultDeclaration.Kaminoyama());
        var c = new DeclarationRecord(1, _time.GetUtcNow(), _time.GetUtcNow(), DefaultDeclaration.Kaminoyama());

        Assert.NotEqual(a.Hash, b.Hash);
        Assert.Equal(a.Hash, c.Hash);
    }

    [Fact]
    public async Task Publication_is_audited_with_its_version_hash_effective_time_and_changes_and_a_refusal_is_not()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(CancellationToken.None);
        var content = DefaultDeclaration.Kaminoyama();
        content.Purposes.Remove(content.Purposes.Single(p => p.Id == "marketing"));
        content.Items.Remove(content.Items.Single(i => i.Id == "contact.fax"));

        await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, content, _time.GetUtcNow().AddDays(1), CancellationToken.None));
        var v2 = await registry.PublishAsync(Admin, content, _time.GetUtcNow().AddDays(14), CancellationToken.None);

        var recorded = Assert.Single(_audit.Events);
        Assert.Equal((_time.GetUtcNow(), "admin", "declaration.published", "declaration/2"), (recorded.Time, recorded.Actor, recorded.Action, recorded.Subject));
        Assert.Equal($"version 2, hash {v2.Hash}, published 2026-11-22T00:00:00Z, effective 2026-12-06T00:00:00Z; against version 1: items removed: contact.fax; purposes removed: marketing", recorded.Details);
    }

    // A plain list is enough to test publication rules; storage itself is tested over SQLite.
    private sealed class ListStore : IDeclarationStore
    {
        public List<DeclarationRecord> Versions { get; } = [];

        public Task<IReadOnlyList<DeclarationRecord>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<DeclarationRecord>>([.. Versions]);

        public Task AddAsync(DeclarationRecord record, CancellationToken cancellationToken)
        {
            Versions.Add(record);
            return Task.CompletedTask;
        }
    }

    private sealed class ListAudit : IHubAuditLog
    {
        public List<HubAuditEvent> Events { get; } = [];

        public Task AppendAsync(HubAuditEvent auditEvent, CancellationToken cancellationToken)
        {
            Events.Add(auditEvent);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<RecordedAuditEvent>> ListAsync(AuditQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RecordedAuditEvent>>([.. Events.Select((e, i) => new RecordedAuditEvent(i + 1, e))]);
    }

    private sealed class NoTransaction : IUnitOfWork
    {
        public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) => work(cancellationToken);
    }
}
