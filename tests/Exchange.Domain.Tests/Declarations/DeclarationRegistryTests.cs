using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
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
    private readonly ListFeed _feed = new();

    private DeclarationRegistry Registry() => new(_store, _time, new DeclarationSettings { MinimumNotice = TimeSpan.FromDays(14) }, _audit, new NoTransaction(), _feed);

    [Fact]
    public async Task Version_in_force_follows_the_clock()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(DefaultDeclaration.Kaminoyama(), CancellationToken.None);
        var v2 = await registry.PublishAsync(Admin, DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(14), CancellationToken.None);

        Assert.Equal(1, (await registry.InForceAsync(_time.GetUtcNow().AddDays(14).AddTicks(-1), CancellationToken.None)).Version);
        Assert.Equal(2, (await registry.InForceAsync(v2.EffectiveAt, CancellationToken.None)).Version);
        Assert.NotEqual(_store.Versions[0].Hash, v2.Hash);
    }

    [Fact]
    public async Task Publishing_a_version_stores_one_event_for_every_partner_with_its_effective_time_and_hash()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(DefaultDeclaration.Kaminoyama(), CancellationToken.None);
        var v2 = await registry.PublishAsync(Admin, DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(14), CancellationToken.None);

        var entry = Assert.Single(_feed.Entries);
        Assert.Equal((FeedEntry.Broadcast, FeedEventKind.DeclarationPublished), (entry.Recipient, entry.Kind));
        var published = FeedEvent.Parser.ParseFrom(entry.Body).DeclarationPublished;
        Assert.Equal((2, v2.EffectiveAt, v2.Hash), (published.Version, published.EffectiveFrom.ToDateTimeOffset(), published.Hash));
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
        await registry.EnsureSeededAsync(DefaultDeclaration.Kaminoyama(), CancellationToken.None);
        var content = DefaultDeclaration.Kaminoyama();
        content.Purposes.Remove(content.Purposes.Single(p => p.Id == "marketing"));
        content.Items.Remove(content.Items.Single(i => i.Id == "contact.fax"));

        // A narrowing may take effect at once, but not before its publication.
        await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, content, _time.GetUtcNow().AddDays(-1), CancellationToken.None));
        var v2 = await registry.PublishAsync(Admin, content, _time.GetUtcNow().AddDays(14), CancellationToken.None);

        var recorded = Assert.Single(_audit.Events);
        Assert.Equal((_time.GetUtcNow(), "admin", "declaration.published", "declaration/2"), (recorded.Time, recorded.Actor, recorded.Action, recorded.Subject));
        Assert.Equal($"version 2, hash {v2.Hash}, published 2026-11-22T00:00:00Z, effective 2026-12-06T00:00:00Z; against version 1: items removed: contact.fax; purposes removed: marketing", recorded.Details);
    }

    [Fact]
    public async Task Version_that_adds_an_item_is_refused_naming_the_clause()
    {
        var registry = Registry();
        var v1 = DefaultDeclaration.Kaminoyama();
        v1.Items.Remove(v1.Items.Single(i => i.Id == "contact.fax"));
        await registry.EnsureSeededAsync(v1, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(30), CancellationToken.None));

        Assert.Equal(FailureKind.FailedPrecondition, error.Kind);
        Assert.Equal(DeclarationRegistry.AdditionRule, error.Rule);
        Assert.Contains("adds item 'contact.fax' to version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("APPI Art. 27(6)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Art. 27(5)(iii)", error.Message, StringComparison.Ordinal);
        Assert.Single(_store.Versions);
    }

    [Fact]
    public async Task Version_that_adds_a_joint_user_is_refused_and_so_is_a_new_class()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(DefaultDeclaration.Kaminoyama(), CancellationToken.None);
        var moreVendors = DefaultDeclaration.Kaminoyama();
        moreVendors.JointUsers.Single(u => u.Role == "vendor").PartyIds.Add("vendor-other");
        var vendorClass = DefaultDeclaration.Kaminoyama();
        vendorClass.JointUsers.Single(u => u.Role == "vendor").PartyIds.Clear();

        var named = await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, moreVendors, _time.GetUtcNow().AddDays(30), CancellationToken.None));
        var unnamed = await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, vendorClass, _time.GetUtcNow().AddDays(30), CancellationToken.None));

        Assert.Equal(DeclarationRegistry.AdditionRule, named.Rule);
        Assert.Contains("adds joint user vendor 'vendor-other' to version 1", named.Message, StringComparison.Ordinal);
        Assert.Contains("must name its party IDs", unnamed.Message, StringComparison.Ordinal);
        Assert.Single(_store.Versions);
    }

    [Fact]
    public async Task Narrowing_takes_effect_at_once_while_a_new_manager_waits_for_the_notice_period_and_a_new_purpose_is_allowed_by_notice()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(DefaultDeclaration.Kaminoyama(), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var narrower = DefaultDeclaration.Kaminoyama();
        narrower.Items.Remove(narrower.Items.Single(i => i.Id == "contact.fax"));
        narrower.Purposes.Remove(narrower.Purposes.Single(p => p.Id == "marketing"));
        narrower.JointUsers.Remove(narrower.JointUsers.Single(u => u.Role == "vendor"));
        var newManager = narrower.Clone();
        newManager.Manager.Representative = new LocalizedText { Ja = "代表理事 山田 太郎", En = "Taro Yamada, Representative Director" };
        var newPurpose = newManager.Clone();
        newPurpose.Purposes.Add(new DeclaredPurpose { Id = "warranty", Description = new LocalizedText { Ja = "保証のため。", En = "Warranty." }, OptOutAllowed = true });

        var v2 = await registry.PublishAsync(Admin, narrower, _time.GetUtcNow(), CancellationToken.None);
        var early = await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(Admin, newManager, _time.GetUtcNow().AddDays(13), CancellationToken.None));
        var v3 = await registry.PublishAsync(Admin, newManager, _time.GetUtcNow().AddDays(14), CancellationToken.None);
        var v4 = await registry.PublishAsync(Admin, newPurpose, _time.GetUtcNow().AddDays(28), CancellationToken.None);

        Assert.Equal((2, _time.GetUtcNow()), (v2.Version, v2.EffectiveAt));
        Assert.Equal(2, (await registry.InForceAsync(_time.GetUtcNow(), CancellationToken.None)).Version);
        Assert.Contains("less than the minimum notice period (14 days)", early.Message, StringComparison.Ordinal);
        Assert.Equal(DeclarationRegistry.PublicationRule, early.Rule);
        Assert.Equal((3, 4), (v3.Version, v4.Version));
    }

    [Fact]
    public void Member_garages_fall_under_the_class_and_the_group_body_and_vendor_only_under_their_names()
    {
        var declaration = new DeclarationRecord(1, _time.GetUtcNow(), _time.GetUtcNow(), DefaultDeclaration.Kaminoyama());
        var withoutClass = DefaultDeclaration.Kaminoyama();
        withoutClass.JointUsers.Remove(withoutClass.JointUsers.Single(u => u.Role == "member-garage"));
        var narrowed = new DeclarationRecord(2, _time.GetUtcNow(), _time.GetUtcNow(), withoutClass);

        Assert.Equal("member-garage", declaration.JointUserOf(Party("garage-zao", PartyRole.MemberGarage))?.Role);
        Assert.Equal("group-body", declaration.JointUserOf(Party("group-lotus", PartyRole.GroupBody))?.Role);
        Assert.Equal("vendor", declaration.JointUserOf(Party("vendor-broadleaf", PartyRole.Vendor))?.Role);
        Assert.Null(declaration.JointUserOf(Party("group-other", PartyRole.GroupBody)));
        Assert.Null(declaration.JointUserOf(Party("vendor-other", PartyRole.Vendor)));
        Assert.Null(declaration.JointUserOf(Party("group-lotus", PartyRole.Vendor)));
        Assert.Null(declaration.JointUserOf(Party("admin", PartyRole.Administrator)));
        Assert.Null(narrowed.JointUserOf(Party("garage-zao", PartyRole.MemberGarage)));
    }

    [Fact]
    public void Shipped_declaration_names_the_operator_as_manager_not_a_member_garage()
    {
        var content = DefaultDeclaration.Kaminoyama();

        Assert.DoesNotContain("上山オート", content.Manager.ToString(), StringComparison.Ordinal);
        Assert.Contains("開発用", content.Manager.Name.Ja, StringComparison.Ordinal);
        Assert.Contains("開発用", content.Inquiry.Name.Ja, StringComparison.Ordinal);
    }

    private static Party Party(string id, PartyRole role) => new(id, role, PartyStatus.Active, id, id);

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

    private sealed class ListFeed : IFeedStore
    {
        public List<FeedEntry> Entries { get; } = [];

        public Task AppendAsync(IReadOnlyList<FeedEntry> entries, CancellationToken cancellationToken)
        {
            Entries.AddRange(entries);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<StoredFeedEvent>> ReadAsync(string recipient, long after, int count, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> PrunedThroughAsync(string recipient, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> HeadAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> PruneAsync(DateTimeOffset storedBefore, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<EarlierProvision>> EarlierProvisionsAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SentFeedEvent>> SentForRequestAsync(string requestId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoTransaction : IUnitOfWork
    {
        public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) => work(cancellationToken);
    }
}
