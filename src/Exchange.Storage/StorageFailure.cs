using Exchange.Domain;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Exchange.Storage;

/// <summary>
/// Failures the database reports about itself, as the domain names them, so that a full disk or a
/// busy database reaches the caller as a status it can act on (retry later) rather than UNKNOWN.
/// </summary>
public static class StorageFailure
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCannotOpen = 14;

    /// <summary>The failure <paramref name="exception"/> (or an exception within it) reports, or null when it is none of these.</summary>
    public static ExchangeException? Classify(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres)
            {
                // Class 53: insufficient resources; 57P: the server is shutting down or restarting; 08: connection
                // failures; 55000 here: the database is not accepting connections (ALLOW_CONNECTIONS false).
                return postgres.SqlState switch
                {
                    "53100" => new ExchangeException(FailureKind.ResourceExhausted, "the hub's storage is full: nothing of this call was stored; retry later"),
                    _ when postgres.IsTransient || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState == "55000"
                        => new ExchangeException(FailureKind.Unavailable, "the hub's storage cannot serve this call now: nothing of it was stored; retry later"),
                    _ => null,
                };
            }

            if (e is NpgsqlException { IsTransient: true })
            {
                return new ExchangeException(FailureKind.Unavailable, "the hub's storage cannot be reached now: nothing of this call was stored; retry later");
            }

            if (e is SqliteException sqlite)
            {
                return (sqlite.SqliteErrorCode & 0xFF) switch
                {
                    SqliteFull => new ExchangeException(FailureKind.ResourceExhausted, "the hub's storage is full: nothing of this call was stored; retry later"),
                    SqliteBusy or SqliteLocked or SqliteIoError or SqliteCannotOpen => new ExchangeException(FailureKind.Unavailable, "the hub's storage cannot serve this call now: nothing of it was stored; retry later"),
                    _ => null,
                };
            }
        }

        return null;
    }
}
