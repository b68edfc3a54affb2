using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Exchange.Bench;

/// <summary>
/// The bench hub's database as the bench sees it from outside the hub: a SQLite file in the hub's
/// temporary folder, or a PostgreSQL database of its own, created on the given server and dropped
/// afterwards. The bench reads it with its own connections (row counts, sizes, the floor's rows).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _server;

    private BenchDatabase(BenchProvider provider, string? sqliteFile, string? connectionString, string? server, string? name)
    {
        Provider = provider;
        SqliteFile = sqliteFile;
        ConnectionString = connectionString;
        _server = server;
        Name = name;
    }

    public BenchProvider Provider { get; }

    /// <summary>The hub's SQLite file (SQLite only).</summary>
    public string? SqliteFile { get; }

    /// <summary>The bench database's connection string (PostgreSQL only).</summary>
    public string? ConnectionString { get; }

    /// <summary>The PostgreSQL database's name (PostgreSQL only).</summary>
    public string? Name { get; }

    /// <summary>The settings that point the hub at this database.</summary>
    public IEnumerable<KeyValuePair<string, string?>> HubSettings => Provider == BenchProvider.Postgres
        ? [new("Exchange:Database:Provider", "Postgres"), new("Exchange:Database:ConnectionString", ConnectionString)]
        : [new("Exchange:Database:Provider", "Sqlite")];

    public static BenchDatabase Sqlite(string dataDirectory) =>
        new(BenchProvider.Sqlite, Path.Combine(dataDirectory, "exchange.db"), null, null, null);

    /// <summary>Creates a database of its own on <paramref name="server"/>.</summary>
    public static async Task<BenchDatabase> CreatePostgresAsync(string server)
    {
        var name = "exchange_bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteOnServerAsync(server, $"CREATE DATABASE {name}").ConfigureAwait(false);
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new BenchDatabase(BenchProvider.Postgres, null, connectionString, server, name);
    }

    /// <summary>A new open connection of the bench's own (not pooled: it keeps no page cache in the process).</summary>
    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = Provider == BenchProvider.Postgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteFile, Pooling = false }.ToString());
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }

    /// <summary>The tables the hub's migrations made, but for the migrations' own.</summary>
    public async Task<List<string>> TablesAsync()
    {
        var sql = Provider == BenchProvider.Postgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
        var tables = new List<string>();
        var connection = await OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    tables.Add(reader.GetString(0));
                }
            }
        }

        return tables.Where(t => !t.StartsWith("__EFMigrations", StringComparison.Ordinal)).ToList();
    }

    /// <summary>The rows in each table.</summary>
    public async Task<Dictionary<string, long>> CountRowsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var connection = await OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var table in await TablesAsync().ConfigureAwait(false))
            {
                counts[table] = await ScalarAsync(connection, $"SELECT COUNT(*) FROM {Quote(table)}").ConfigureAwait(false);
            }
        }

        return counts;
    }

    /// <summary>Entries in the provision log.</summary>
    public async Task<long> LogEntriesAsync()
    {
        var connection = await OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ScalarAsync(connection, "SELECT COUNT(*) FROM provision_log").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What the database takes on disk: all of it (SQLite: the file and its WAL; PostgreSQL: the
    /// database), and the provision log's tables with their indexes (SQLite: the size of a file they
    /// are copied into; PostgreSQL: pg_total_relation_size).
    /// </summary>
    public async Task<DiskUse> DiskAsync()
    {
        var connection = await OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (Provider == BenchProvider.Postgres)
            {
                var database = await ScalarAsync(connection, "SELECT pg_database_size(current_database())").ConfigureAwait(false);
                var log = await ScalarAsync(connection, "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'provision\\_log%'").ConfigureAwait(false);
                return new DiskUse(database, log, 0);
            }

            var wal = WalBytes();
            return new DiskUse(new FileInfo(SqliteFile!).Length + wal, await CopiedLogBytesAsync(connection).ConfigureAwait(false), wal);
        }
    }

    // SQLite as bundled has no dbstat table to tell a table's pages, so the log's tables are copied,
    // with their indexes, into a file of their own, whose size is then theirs.
    private async Task<long> CopiedLogBytesAsync(DbConnection connection)
    {
        var file = Path.Combine(Path.GetDirectoryName(SqliteFile)!, "log-size.db");
        var schema = new List<(string Type, string Name, string Sql)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT type, name, sql FROM sqlite_master WHERE tbl_name LIKE 'provision\\_log%' ESCAPE '\\' AND sql IS NOT NULL ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END";
            var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    schema.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }
            }
        }

        await ExecuteAsync(connection, $"ATTACH DATABASE '{file.Replace("'", "''", StringComparison.Ordinal)}' AS sizing; PRAGMA sizing.journal_mode = OFF; PRAGMA sizing.synchronous = OFF").ConfigureAwait(false);
        try
        {
            foreach (var (type, _, sql) in schema)
            {
                var keyword = type == "table" ? "TABLE " : "INDEX ";
                var at = sql.IndexOf(keyword, StringComparison.OrdinalIgnoreCase) + keyword.Length;
                await ExecuteAsync(connection, sql[..at] + "sizing." + sql[at..]).ConfigureAwait(false);
            }

            foreach (var (_, table, _) in schema.Where(s => s.Type == "table"))
            {
                await ExecuteAsync(connection, $"INSERT INTO sizing.{Quote(table)} SELECT * FROM main.{Quote(table)}").ConfigureAwait(false);
            }
        }
        finally
        {
            await ExecuteAsync(connection, "DETACH DATABASE sizing").ConfigureAwait(false);
        }

        var bytes = new FileInfo(file).Length;
        File.Delete(file);
        return bytes;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 3600;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>The SQLite write-ahead log's size on disk now (0 on PostgreSQL or when absent).</summary>
    public long WalBytes()
    {
        if (SqliteFile is null)
        {
            return 0;
        }

        var wal = new FileInfo(SqliteFile + "-wal");
        return wal.Exists ? wal.Length : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await ExecuteOnServerAsync(_server, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)").ConfigureAwait(false);
        }
    }

    /// <summary><paramref name="name"/> delimited for the provider (both quote with double quotes).</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteOnServerAsync(string server, string sql)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Bytes on disk: the whole database, the provision log's tables and indexes, and SQLite's WAL.</summary>
internal sealed record DiskUse(long DatabaseBytes, long LogBytes, long WalBytes);
