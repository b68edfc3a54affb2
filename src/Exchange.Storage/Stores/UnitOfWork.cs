using Exchange.Domain.Provisions;

namespace Exchange.Storage.Stores;

/// <summary>
/// Serialises the hub's writing transactions in this process, so the provision-log chain gets one
/// head at a time. (SQLite admits one writer anyway; a shared server database adds a row lock.)
/// </summary>
internal sealed class WriteGate : IDisposable
{
    public SemaphoreSlim Semaphore { get; } = new(1, 1);

    public void Dispose() => Semaphore.Dispose();
}

internal sealed class UnitOfWork(ExchangeDbContext db, WriteGate gate) : IUnitOfWork
{
    private readonly List<Action> _afterCommit = [];

    /// <summary>Runs <paramref name="action"/> once the current transaction commits, or now when none is open.</summary>
    public void AfterCommit(Action action)
    {
        if (db.Database.CurrentTransaction is null)
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
        if (db.Database.CurrentTransaction is not null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work(cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _afterCommit.ForEach(action => action());
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
        finally
        {
            _afterCommit.Clear();
            gate.Semaphore.Release();
        }
    }
}
