using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using SQLitePCL;

namespace Exchange.Storage.Stores;

/// <summary>
/// Inserts rows of one entity type with one prepared statement, in the connection's current
/// transaction. For the bulk paths (a batch of records, the provision-log entries that go with them),
/// where EF's change tracking costs several times the insert itself. Table, columns and value
/// conversions come from the EF model, so it follows the schema and works on every provider.
/// </summary>
/// <remarks>
/// On SQLite the statement is SQLite's own, bound by position (SQLitePCLRaw, under
/// Microsoft.Data.Sqlite): binding through <see cref="DbParameter"/>s looks every parameter up by name
/// and converts it to UTF-8 on each insert, which measured more than the insert itself. Other
/// providers get an ADO.NET command, one round trip per row; on PostgreSQL
/// <see cref="InsertAllAsync"/> sends several rows in one round trip instead: one binary COPY, or,
/// when a key is returned or a conflict skipped, one INSERT from arrays (docs/storage.md).
/// </remarks>
internal sealed class RowInserter<TRow> : IDisposable
    where TRow : class
{
    // Compiled once per property: a batch creates its inserters anew, and compiling costs more than the batch.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<TRow, object?>> Getters = new(StringComparer.Ordinal);
    private readonly Column[] _columns;
    private readonly object?[] _values;
    private readonly IStatement _statement;
    private readonly IBatch? _batch;

    private RowInserter(Column[] columns, IStatement statement, IBatch? batch)
    {
        _columns = columns;
        _values = new object?[columns.Length];
        _statement = statement;
        _batch = batch;
    }

    /// <summary>Inserts in the transaction this is set to (on its connection).</summary>
    public DbTransaction? Transaction
    {
        set
        {
            _statement.Transaction = value;
            _batch?.Transaction = value;
        }
    }

    /// <summary>
    /// A prepared insert on <paramref name="db"/>'s connection and current transaction; with
    /// <paramref name="returnKey"/>, inserts return the generated key. With <paramref name="unlessExists"/>
    /// (the properties of a unique index), a row whose key exists already is not inserted and 0 is returned.
    /// </summary>
    public static RowInserter<TRow> Create(ExchangeDbContext db, bool returnKey = false, string[]? unlessExists = null)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Rows are inserted inside a unit of work only.");
        var inserter = Create(new SchemaNames(db.Model, db.GetService<ISqlGenerationHelper>()), transaction.Connection!, returnKey, unlessExists);
        inserter.Transaction = transaction;
        return inserter;
    }

    /// <summary>A prepared insert on <paramref name="connection"/>; set <see cref="Transaction"/> before each use in a transaction.</summary>
    public static RowInserter<TRow> Create(SchemaNames names, DbConnection connection, bool returnKey = false, string[]? unlessExists = null)
    {
        var entity = names.Entity<TRow>();
        var table = names.StoreObject<TRow>();
        var sql = names.Sql;
        var key = entity.FindPrimaryKey()!.Properties is [{ ValueGenerated: ValueGenerated.OnAdd } generated] ? generated : null;
        var properties = entity.GetProperties().Where(p => p != key).ToList();
        var columns = properties.Select(p => new Column(Getter(p), p.GetTypeMapping().Converter, p.GetColumnType(table)!, ProviderType(p))).ToArray();
        var unique = unlessExists?.Select(p => entity.FindProperty(p) ?? throw new ArgumentException($"{typeof(TRow).Name}.{p} is not mapped.", nameof(unlessExists))).ToList();
        var returnsKey = key is not null && returnKey;

        string Columns(IEnumerable<IProperty> of) => string.Join(", ", of.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var into = $"INSERT INTO {names.Table<TRow>()} ({Columns(properties)}) ";
        var onConflict = unique is null ? "" : $" ON CONFLICT ({Columns(unique)}) DO NOTHING";

        // Each placeholder once and in order, so that the i-th is also SQLite's parameter i + 1.
        var placeholders = properties.Select((_, i) => sql.GenerateParameterNamePlaceholder("p" + i)).ToList();
        var text = into + $"VALUES ({string.Join(", ", placeholders)})" + onConflict + (returnsKey ? $" RETURNING {Columns([key!])}" : "");
        IStatement statement = connection is SqliteConnection sqlite
            ? new SqliteStatement(sqlite, text)
            : new CommandStatement(connection, text, placeholders, returnsKey);
        IBatch? batch = connection switch
        {
            NpgsqlConnection npgsql when !returnsKey && unique is null =>
                new Copy(npgsql, $"COPY {names.Table<TRow>()} ({Columns(properties)}) FROM STDIN (FORMAT BINARY)"),
            // The returned rows are matched to the rows given by their unique key, which a null would not identify.
            NpgsqlConnection when returnsKey && (unique is null || unique.Any(p => p.IsNullable)) => null,
            NpgsqlConnection npgsql =>
                new Unnest(
                    npgsql,
                    into + $"SELECT * FROM unnest({string.Join(", ", placeholders.Select((p, i) => $"{p}::{columns[i].StoreType}[]"))})" + onConflict +
                        (returnsKey ? $" RETURNING {Columns([key!, .. unique!])}" : ""),
                    placeholders,
                    returnsKey ? unique!.Select(p => properties.IndexOf(p)).ToArray() : null),
            _ => null,
        };
        return new RowInserter<TRow>(columns, statement, batch);
    }

    /// <summary>Inserts <paramref name="row"/>; returns the generated key, or 0 when it is not asked for or the row existed.</summary>
    public ValueTask<long> InsertAsync(TRow row, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            _values[i] = _columns[i].ProviderValue(row);
        }

        return _statement.ExecuteAsync(_values, cancellationToken);
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> in their order, as <see cref="InsertAsync"/> would one by one, and
    /// returns what it would return for each. On PostgreSQL, when there are several, in one round trip:
    /// one binary COPY when no key is returned and no conflict skipped, else one INSERT from arrays
    /// (<c>unnest</c>), whose returned keys are matched to the rows by the unique key.
    /// </summary>
    public async Task<long[]> InsertAllAsync(IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
    {
        if (_batch is null || rows.Count < 2)
        {
            var keys = new long[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                keys[i] = await InsertAsync(rows[i], cancellationToken).ConfigureAwait(false);
            }

            return keys;
        }

        return await _batch.InsertAsync(_columns, rows, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _statement.Dispose();
        _batch?.Dispose();
    }

    private static Func<TRow, object?> Getter(IProperty property) => Getters.GetOrAdd(property.Name, _ =>
    {
        var info = property.PropertyInfo ?? throw new InvalidOperationException($"{property.Name} has no CLR property.");
        var row = Expression.Parameter(typeof(TRow), "row");
        return Expression.Lambda<Func<TRow, object?>>(Expression.Convert(Expression.Property(row, info), typeof(object)), row).Compile();
    });

    // The type a column's values have once converted, nullable where the column is: the element type of its array.
    private static Type ProviderType(IProperty property)
    {
        var type = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(type) : type;
    }

    private sealed record Column(Func<TRow, object?> Get, ValueConverter? Converter, string StoreType, Type ProviderType)
    {
        public object? ProviderValue(TRow row) => Get(row) is { } value ? Converter?.ConvertToProvider(value) ?? value : null;
    }

    private interface IBatch : IDisposable
    {
        DbTransaction? Transaction { set; }

        Task<long[]> InsertAsync(Column[] columns, IReadOnlyList<TRow> rows, CancellationToken cancellationToken);
    }

    // COPY runs in the connection's transaction, whatever the command's.
    private sealed class Copy(NpgsqlConnection connection, string sql) : IBatch
    {
        public DbTransaction? Transaction
        {
            set { }
        }

        public async Task<long[]> InsertAsync(Column[] columns, IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
        {
            var import = await connection.BeginBinaryImportAsync(sql, cancellationToken).ConfigureAwait(false);
            await using (import.ConfigureAwait(false))
            {
                foreach (var row in rows)
                {
                    await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var column in columns)
                    {
                        if (column.ProviderValue(row) is { } value)
                        {
                            await import.WriteAsync(value, column.StoreType, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            return new long[rows.Count];
        }

        public void Dispose()
        {
        }
    }

    // One INSERT … SELECT * FROM unnest(@p0::type[], …), an array per column; Npgsql prepares it automatically.
    private sealed class Unnest : IBatch
    {
        private readonly NpgsqlCommand _command;
        private readonly int[]? _uniqueColumns;

        public Unnest(NpgsqlConnection connection, string sql, IReadOnlyList<string> placeholders, int[]? uniqueColumns)
        {
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            foreach (var name in placeholders)
            {
                _command.Parameters.Add(new NpgsqlParameter { ParameterName = name });
            }

            _uniqueColumns = uniqueColumns;
        }

        public DbTransaction? Transaction
        {
            set => _command.Transaction = (NpgsqlTransaction?)value;
        }

        public async Task<long[]> InsertAsync(Column[] columns, IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                var values = Array.CreateInstance(columns[c].ProviderType, rows.Count);
                for (var r = 0; r < rows.Count; r++)
                {
                    values.SetValue(columns[c].ProviderValue(rows[r]), r);
                }

                _command.Parameters[c].Value = values;
            }

            var keys = new long[rows.Count];
            if (_uniqueColumns is null)
            {
                await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return keys;
            }

            // A row not returned existed already, or repeats the unique key of an earlier row, which was inserted first.
            var rowOf = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
            for (var r = rows.Count - 1; r >= 0; r--)
            {
                rowOf[UniqueKey(i => columns[_uniqueColumns[i]].ProviderValue(rows[r]))] = r;
            }

            var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    keys[rowOf[UniqueKey(i => reader.GetValue(i + 1))]] = reader.GetInt64(0);
                }
            }

            return keys;
        }

        public void Dispose() => _command.Dispose();

        // The unique key's values as one text that no other values give: each value's length, then the value.
        private string UniqueKey(Func<int, object?> value)
        {
            var key = new System.Text.StringBuilder();
            for (var i = 0; i < _uniqueColumns!.Length; i++)
            {
                var text = value(i) is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value(i), CultureInfo.InvariantCulture) ?? "";
                key.Append(text.Length).Append(':').Append(text);
            }

            return key.ToString();
        }
    }

    private interface IStatement : IDisposable
    {
        DbTransaction? Transaction { set; }

        ValueTask<long> ExecuteAsync(object?[] values, CancellationToken cancellationToken);
    }

    private sealed class SqliteStatement : IStatement
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;

        public SqliteStatement(SqliteConnection connection, string sql)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
            SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _statement), _db);
        }

        // SQLite's statements run in the transaction their connection has open.
        public DbTransaction? Transaction
        {
            set { }
        }

        public ValueTask<long> ExecuteAsync(object?[] values, CancellationToken cancellationToken)
        {
            for (var i = 0; i < values.Length; i++)
            {
                Check(Bind(i + 1, values[i]));
            }

            var rc = raw.sqlite3_step(_statement);
            var key = 0L;
            if (rc == raw.SQLITE_ROW)
            {
                key = raw.sqlite3_column_int64(_statement, 0);
                rc = raw.sqlite3_step(_statement);
            }

            var reset = raw.sqlite3_reset(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(reset != raw.SQLITE_OK ? reset : rc, _db);
            }

            return ValueTask.FromResult(key);
        }

        public void Dispose() => _statement.Dispose();

        private int Bind(int index, object? value) => value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            // As UTF-8, which the database holds: SQLite reads a leading U+FEFF or U+FFFE of UTF-16 text as a byte-order mark.
            string text => raw.sqlite3_bind_text(_statement, index, text),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            int number => raw.sqlite3_bind_int(_statement, index, number),
            bool flag => raw.sqlite3_bind_int(_statement, index, flag ? 1 : 0),
            double number => raw.sqlite3_bind_double(_statement, index, number),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            _ => throw new NotSupportedException($"A {value.GetType().Name} value has no SQLite binding here; map it to a provider type in the model."),
        };

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                raw.sqlite3_reset(_statement);
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
    }

    private sealed class CommandStatement : IStatement
    {
        private readonly DbCommand _command;
        private readonly bool _returnsKey;

        public CommandStatement(DbConnection connection, string sql, IReadOnlyList<string> placeholders, bool returnsKey)
        {
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            foreach (var name in placeholders)
            {
                var parameter = _command.CreateParameter();
                parameter.ParameterName = name;
                _command.Parameters.Add(parameter);
            }

            _returnsKey = returnsKey;
        }

        public DbTransaction? Transaction
        {
            set => _command.Transaction = value;
        }

        public async ValueTask<long> ExecuteAsync(object?[] values, CancellationToken cancellationToken)
        {
            for (var i = 0; i < values.Length; i++)
            {
                _command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            if (!_returnsKey)
            {
                await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }

            return await _command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } key ? Convert.ToInt64(key, CultureInfo.InvariantCulture) : 0;
        }

        public void Dispose() => _command.Dispose();
    }
}
