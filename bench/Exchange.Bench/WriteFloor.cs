using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

namespace Exchange.Bench;

/// <summary>
/// The floor under the batched writes: the rows the hub's writes added (customers, their vehicles,
/// their provision-log entries, whatever else grew), read back and inserted again through the
/// provider's fastest path into a scratch copy of the schema, a transaction per batch as the hub
/// commits them: on SQLite statements prepared once and bound by position (SQLitePCLRaw) into a new
/// file with the hub's settings (WAL, synchronous FULL); on PostgreSQL binary COPY into a schema of
/// tables made LIKE the hub's (with their indexes, without foreign keys; SQLite's checks are off too).
/// </summary>
internal static class WriteFloor
{
    /// <summary>Customers whose rows the floor inserts again, at most: a few seconds' worth.</summary>
    public const int DefaultCustomers = 50_000;

    private const string CustomersTable = "customers";
    private const string ScratchSchema = "bench_floor";

    /// <summary>
    /// Inserts again the rows of up to <paramref name="maxCustomers"/> of the customers written since
    /// <paramref name="before"/> was counted, with the same share of every other table that grew.
    /// </summary>
    public static async Task<FloorResult> MeasureAsync(BenchHub hub, IReadOnlyDictionary<string, long> before, int batch, int maxCustomers)
    {
        var after = await hub.Database.CountRowsAsync().ConfigureAwait(false);
        var grown = after.Select(t => (Table: t.Key, Added: t.Value - before.GetValueOrDefault(t.Key))).Where(t => t.Added > 0).ToList();
        var customersAdded = grown.FirstOrDefault(t => t.Table == CustomersTable).Added;
        if (customersAdded == 0)
        {
            throw new InvalidOperationException("The writes added no customers to copy.");
        }

        var customers = Math.Min(customersAdded, maxCustomers);
        var tables = new List<TableRows>();
        var connection = await hub.Database.OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Customers first: the other tables' rows refer to them.
            foreach (var (table, added) in grown.OrderBy(t => t.Table == CustomersTable ? 0 : 1))
            {
                tables.Add(await ReadAsync(connection, table, Math.Max(1, added * customers / customersAdded)).ConfigureAwait(false));
            }
        }

        var transactions = (int)((customers + batch - 1) / batch);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        if (hub.Database.Provider == BenchProvider.Postgres)
        {
            await CopyAsync(hub.Database, tables, transactions).ConfigureAwait(false);
        }
        else
        {
            InsertIntoSqlite(hub.Database.SqliteFile!, Path.Combine(hub.Directory, "floor.db"), tables, transactions);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        return new FloorResult(customers, tables.Sum(t => (long)t.Rows.Length), transactions, elapsed, process.TotalProcessorTime - cpu, string.Join(", ", tables.Select(t => FormattableString.Invariant($"{t.Table} {t.Rows.Length:N0}"))));
    }

    private static async Task<TableRows> ReadAsync(DbConnection connection, string table, long rows)
    {
        using var command = connection.CreateCommand();
        command.CommandText = FormattableString.Invariant($"SELECT * FROM {BenchDatabase.Quote(table)} LIMIT {rows}");
        var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToArray();
            var list = new List<object?[]>();
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var values = new object?[columns.Length];
                reader.GetValues(values!);
                list.Add(values);
            }

            return new TableRows(table, columns, types, [.. list]);
        }
    }

    // The rows of transaction `index` of `transactions` in `rows`: each transaction an equal share.
    private static ArraySegment<object?[]> Share(object?[][] rows, int index, int transactions)
    {
        var from = (int)((long)rows.Length * index / transactions);
        var to = (int)((long)rows.Length * (index + 1) / transactions);
        return new ArraySegment<object?[]>(rows, from, to - from);
    }

    private static void InsertIntoSqlite(string hubFile, string floorFile, List<TableRows> tables, int transactions)
    {
        using (var scratch = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = floorFile, Pooling = false }.ToString()))
        using (var hub = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = hubFile, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString()))
        {
            scratch.Open();
            hub.Open();
            Execute(scratch, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;");
            using var schema = hub.CreateCommand();
            schema.CommandText = "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END";
            using var reader = schema.ExecuteReader();
            while (reader.Read())
            {
                Execute(scratch, reader.GetString(0));
            }

            var db = scratch.Handle!;
            var statements = tables.Select(t => Prepare(db, $"INSERT INTO {BenchDatabase.Quote(t.Table)} ({string.Join(", ", t.Columns.Select(BenchDatabase.Quote))}) VALUES ({string.Join(", ", t.Columns.Select(_ => "?"))})")).ToArray();
            try
            {
                for (var i = 0; i < transactions; i++)
                {
                    Check(db, raw.sqlite3_exec(db, "BEGIN"));
                    for (var t = 0; t < tables.Count; t++)
                    {
                        foreach (var row in Share(tables[t].Rows, i, transactions))
                        {
                            Insert(db, statements[t], row);
                        }
                    }

                    Check(db, raw.sqlite3_exec(db, "COMMIT"));
                }
            }
            finally
            {
                foreach (var statement in statements)
                {
                    statement.Dispose();
                }
            }
        }

        foreach (var file in new[] { floorFile, floorFile + "-wal", floorFile + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return statement;
    }

    private static void Insert(sqlite3 db, sqlite3_stmt statement, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var rc = values[i] switch
            {
                null or DBNull => raw.sqlite3_bind_null(statement, i + 1),
                long l => raw.sqlite3_bind_int64(statement, i + 1, l),
                double d => raw.sqlite3_bind_double(statement, i + 1, d),
                string s => raw.sqlite3_bind_text(statement, i + 1, s),
                byte[] b => raw.sqlite3_bind_blob(statement, i + 1, b),
                var other => throw new InvalidOperationException($"A SQLite value of type {other.GetType()}."),
            };
            Check(db, rc);
        }

        var step = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (step != raw.SQLITE_DONE)
        {
            Check(db, step);
        }
    }

    private static void Check(sqlite3 db, int rc) => SqliteException.ThrowExceptionForRC(rc, db);

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task CopyAsync(BenchDatabase database, List<TableRows> tables, int transactions)
    {
        var connection = (NpgsqlConnection)await database.OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            Execute(connection, $"DROP SCHEMA IF EXISTS {ScratchSchema} CASCADE; CREATE SCHEMA {ScratchSchema};" +
                string.Concat(tables.Select(t => $"CREATE TABLE {ScratchSchema}.{BenchDatabase.Quote(t.Table)} (LIKE public.{BenchDatabase.Quote(t.Table)} INCLUDING ALL);")));
            try
            {
                for (var i = 0; i < transactions; i++)
                {
                    var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        foreach (var table in tables)
                        {
                            await CopyAsync(connection, table, Share(table.Rows, i, transactions)).ConfigureAwait(false);
                        }

                        await transaction.CommitAsync().ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                Execute(connection, $"DROP SCHEMA {ScratchSchema} CASCADE");
            }
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, TableRows table, ArraySegment<object?[]> rows)
    {
        var importer = await connection.BeginBinaryImportAsync($"COPY {ScratchSchema}.{BenchDatabase.Quote(table.Table)} ({string.Join(", ", table.Columns.Select(BenchDatabase.Quote))}) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync().ConfigureAwait(false);
                for (var c = 0; c < row.Length; c++)
                {
                    if (row[c] is null or DBNull)
                    {
                        await importer.WriteNullAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        await importer.WriteAsync(row[c], table.Types[c]).ConfigureAwait(false);
                    }
                }
            }

            await importer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private sealed record TableRows(string Table, string[] Columns, string[] Types, object?[][] Rows);
}

/// <summary>What the floor inserted (customers, rows of every table, transactions) and what it took.</summary>
internal sealed record FloorResult(long Customers, long Rows, int Transactions, TimeSpan Elapsed, TimeSpan Cpu, string Tables)
{
    public double CustomersPerSecond => Customers / Elapsed.TotalSeconds;
}
