using Exchange.Domain.Provisions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Counts the entries the hub reads through <see cref="IProvisionLogStore.ReadRangeAsync"/>: what a verification costs, without timing it.</summary>
public sealed class EntriesRead
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    /// <summary>Wraps the hub's provision-log store (for <see cref="TestHub.StartAsync"/>'s configure).</summary>
    public void CountIn(WebApplicationBuilder builder)
    {
        var store = builder.Services.Single(d => d.ServiceType == typeof(IProvisionLogStore));
        builder.Services.Replace(ServiceDescriptor.Scoped<IProvisionLogStore>(sp =>
            new CountingProvisionLogStore((IProvisionLogStore)ActivatorUtilities.CreateInstance(sp, store.ImplementationType!), this)));
    }
}

/// <summary>The hub's provision-log store, counting the entries read by range.</summary>
internal sealed class CountingProvisionLogStore(IProvisionLogStore inner, EntriesRead read) : IProvisionLogStore
{
    public async IAsyncEnumerable<ChainedProvision> ReadRangeAsync(long first, long last, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in inner.ReadRangeAsync(first, last, cancellationToken))
        {
            read.Add();
            yield return entry;
        }
    }

    public Task<IReadOnlyList<ChainedProvision>> AppendAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken) => inner.AppendAsync(facts, cancellationToken);

    public IAsyncEnumerable<ChainedProvision> ReadAllAsync(CancellationToken cancellationToken) => inner.ReadAllAsync(cancellationToken);

    public Task<IReadOnlyList<ChainedProvision>> ListForSubjectAsync(string subjectId, CancellationToken cancellationToken) => inner.ListForSubjectAsync(subjectId, cancellationToken);

    public Task<long?> FirstMisindexedAsync(long after, CancellationToken cancellationToken) => inner.FirstMisindexedAsync(after, cancellationToken);

    public Task<ChainedProvision?> HeadAsync(CancellationToken cancellationToken) => inner.HeadAsync(cancellationToken);

    public Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken) => inner.ListCheckpointsAsync(cancellationToken);

    public Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsFromAsync(long sequence, CancellationToken cancellationToken) => inner.ListCheckpointsFromAsync(sequence, cancellationToken);

    public Task<VerifiedCheckpoint?> LastVerifiedAsync(CancellationToken cancellationToken) => inner.LastVerifiedAsync(cancellationToken);

    public Task AddVerifiedAsync(VerifiedCheckpoint verified, CancellationToken cancellationToken) => inner.AddVerifiedAsync(verified, cancellationToken);

    public Task AddCheckpointAsync(ProvisionCheckpoint checkpoint, CancellationToken cancellationToken) => inner.AddCheckpointAsync(checkpoint, cancellationToken);

    public Task<LogCoverage> CoverageAsync(CancellationToken cancellationToken) => inner.CoverageAsync(cancellationToken);

    public Task<long> ReducedThroughAsync(CancellationToken cancellationToken) => inner.ReducedThroughAsync(cancellationToken);

    public Task<long> LastBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken) => inner.LastBeforeAsync(time, cancellationToken);

    public Task<long> ReduceThroughAsync(long sequence, bool dryRun, CancellationToken cancellationToken) => inner.ReduceThroughAsync(sequence, dryRun, cancellationToken);
}
