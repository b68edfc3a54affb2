using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Exchange.Storage;

/// <summary>
/// Lets hub instances sharing one PostgreSQL database start one at a time: what a start seeds (the
/// default grants, the first declaration version, the development parties and certificates) is
/// checked and then inserted, which two instances starting together on an empty database would
/// both do. A session-level advisory lock on a connection of its own, held from before migrating
/// until seeding is done. On SQLite it does nothing.
/// </summary>
public sealed class StartupLock(StorageSettings settings, IServiceProvider services)
{
    // Any fixed 64-bit key other than the chain lock's: "exchstrt" in ASCII.
    private const long Key = 0x65786368_73747274;

    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        if (settings.Provider != DatabaseProvider.Postgres)
        {
            return Released.Instance;
        }

        var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({Key})", connection);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class Released : IAsyncDisposable
    {
        public static readonly Released Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
