using Exchange.Domain.Declarations;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Domain.Tests.Declarations;

public sealed class DeclarationRegistryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly ListStore _store = new();

    private DeclarationRegistry Registry() => new(_store, _time, new DeclarationSettings { MinimumNotice = TimeSpan.FromDays(14) });

    [Fact]
    public async Task Version_in_force_follows_the_clock()
    {
        var registry = Registry();
        await registry.EnsureSeededAsync(CancellationToken.None);
        var v2 = await registry.PublishAsync(DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(14), CancellationToken.None);

        Assert.Equal(1, (await registry.InForceAsync(_time.GetUtcNow().AddDays(14).AddTicks(-1), CancellationToken.None)).Version);
        Assert.Equal(2, (await registry.InForceAsync(v2.EffectiveAt, CancellationToken.None)).Version);
        Assert.NotEqual(_store.Versions[0].Hash, v2.Hash);
    }

    [Fact]
    public async Task Recall_purpose_cannot_allow_opt_out()
    {
        var content = DefaultDeclaration.Kaminoyama();
        content.Purposes.Single(p => p.Id == "recall").OptOutAllowed = true;

        var error = await Assert.ThrowsAsync<ExchangeException>(() => Registry().PublishAsync(content, _time.GetUtcNow().AddDays(30), CancellationToken.None));

        Assert.Contains("recall purpose cannot allow opt-out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_version_cannot_take_effect_before_the_previous_one()
    {
        var registry = Registry();
        await registry.PublishAsync(DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(60), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ExchangeException>(() => registry.PublishAsync(DefaultDeclaration.Kaminoyama(), _time.GetUtcNow().AddDays(30), CancellationToken.None));

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
}
