using Exchange.Domain;
using Microsoft.Data.Sqlite;

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
