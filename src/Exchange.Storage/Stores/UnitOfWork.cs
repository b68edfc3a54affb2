using Exchange.Domain.Provisions;

namespace Exchange.Storage.Stores;

/// <summary>
/// Serialises the hub's writing transactions in this process, so the provision-log chain gets one
/// head at a time. (SQLite admits one writer anyway; a shared server database adds a row lock.)
/// </summary>
internal sealed class WriteGate : IDisposable
{
    public SemaphoreSlim Semaphore { get; } = new(1, 1);

    /// <summary>Runs <paramref name="work"/> holding the gate, blocking until it is free: for the provision log's own threads and start-up.</summary>
    public T Hold<T>(Func<T> work)
    {
        Semaphore.Wait();
        try
        {
            return work();
        }
        finally
        {
            Semaphore.Release();
        }
    }

    /// <inheritdoc cref="Hold{T}(Func{T})"/>
    public void Hold(Action work) => Hold(() =>
    {
        work();
        return 0;
    });

    /// <summary>Runs the synchronous <paramref name="work"/> holding the gate, waiting for it without blocking a thread.</summary>
    public async Task<T> HoldAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work();
        }
        finally
        {
            Semaphore.Release();
        }
    }

    public void Dispose() => Semaphore.Dispose();
}

internal sealed class UnitOfWork(Lazy<ExchangeDbContext> context, WriteGate gate) : IUnitOfWork
{
    private ExchangeDbContext Db => context.Value;

    private readonly List<Action> _afterCommit = [];

    /// <summary>Runs <paramref name="action"/> once the current transaction commits, or now when none is open.</summary>
    public void AfterCommit(Action action)
    {
        if (Db.Database.CurrentTransaction is null)
        {
            action();
        }
        else
        {
            _afterCommit.Add(action);
        }
    }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (Db.Database.CurrentTransaction is not null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work(cancellationToken).ConfigureAwait(false);
            await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            // A long call (a sync stream) runs many units of work in one context: what one loaded is not the next one's to track.
            Db.ChangeTracker.Clear();
            _afterCommit.ForEach(action => action());
            return result;
        }
        catch
        {
            Db.ChangeTracker.Clear();
            throw;
        }
        finally
        {
            _afterCommit.Clear();
            gate.Semaphore.Release();
        }
    }
}
