using Exchange.Storage.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Storage.Tests.Stores;

public sealed class SnapshotCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ReferenceDataVersion _version = new();
    private int _loads;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<string> LoadAsync(CancellationToken cancellationToken) => Task.FromResult("v" + ++_loads);

    [Fact]
    public async Task Value_is_kept_for_its_maximum_age_and_read_again_after_it()
    {
        var cache = new SnapshotCache<string>(_time, TimeSpan.FromSeconds(2), _version);

        Assert.Equal("v1", await cache.GetAsync(LoadAsync, Ct));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal("v1", await cache.GetAsync(LoadAsync, Ct));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("v2", await cache.GetAsync(LoadAsync, Ct));
    }

    [Fact]
    public async Task Invalidation_makes_the_next_call_read_again()
    {
        var cache = new SnapshotCache<string>(_time, TimeSpan.FromMinutes(1), _version);
        await cache.GetAsync(LoadAsync, Ct);

        cache.Invalidate();

        Assert.Equal("v2", await cache.GetAsync(LoadAsync, Ct));
        Assert.Equal("v2", await cache.GetAsync(LoadAsync, Ct));
    }

    [Fact]
    public async Task Value_loaded_while_a_change_was_made_serves_that_call_only()
    {
        var cache = new SnapshotCache<string>(_time, TimeSpan.FromMinutes(1), _version);

        var during = await cache.GetAsync(
            ct =>
            {
                cache.Invalidate();
                return LoadAsync(ct);
            },
            Ct);

        Assert.Equal("v1", during);
        Assert.Equal("v2", await cache.GetAsync(LoadAsync, Ct));
    }

    [Fact]
    public async Task Zero_maximum_age_reads_every_time()
    {
        var cache = new SnapshotCache<string>(_time, TimeSpan.Zero, _version);

        await cache.GetAsync(LoadAsync, Ct);
        await cache.GetAsync(LoadAsync, Ct);

        Assert.Equal(2, _loads);
    }

    [Fact]
    public async Task Newer_version_seen_in_the_database_makes_the_next_call_read_again_within_the_maximum_age()
    {
        var cache = new SnapshotCache<string>(_time, TimeSpan.FromMinutes(1), _version);
        _version.Observe(3);
        await cache.GetAsync(LoadAsync, Ct);

        _version.Observe(2);
        Assert.Equal("v1", await cache.GetAsync(LoadAsync, Ct));
        _version.Observe(4);
        Assert.Equal("v2", await cache.GetAsync(LoadAsync, Ct));
        Assert.Equal("v2", await cache.GetAsync(LoadAsync, Ct));
    }
}
