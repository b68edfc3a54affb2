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
/// <see cref="InsertAllAsync"/> sends several rows as one binary COPY instead (docs/storage.md).
/// </remarks>
internal sealed class RowInserter<TRow> : IDisposable
    where TRow : class
{
    // Compiled once per property: a batch creates its inserters anew, and compiling costs more than the batch.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<TRow, object?>> Getters = new(StringComparer.Ordinal);
    private readonly Column[] _columns;
    private readonly object?[] _values;
    private readonly IStatement _statement;
    private readonly Copy? _copy;

    private RowInserter(Column[] columns, IStatement statement, Copy? copy)
    {
        _columns = columns;
        _values = new object?[columns.Length];
        _statement = statement;
        _copy = copy;
    }

    /// <summary>Inserts in the transaction this is set to (on its connection).</summary>
    public DbTransaction? Transaction
    {
        set => _statement.Transaction = value;
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
        var columns = properties.Select(p => new Column(Getter(p), p.GetTypeMapping().Converter, p.GetColumnType(table)!)).ToArray();

        // Each placeholder once and in order, so that the i-th is also SQLite's parameter i + 1.
        var placeholders = properties.Select((_, i) => sql.GenerateParameterNamePlaceholder("p" + i)).ToList();
        var returnsKey = key is not null && returnKey;
        var text =
            $"INSERT INTO {names.Table<TRow>()} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", placeholders)})" +
            (unlessExists is null ? "" : $" ON CONFLICT ({string.Join(", ", unlessExists.Select(p => sql.DelimitIdentifier(entity.FindProperty(p)!.GetColumnName(table)!)))}) DO NOTHING") +
            (returnsKey ? $" RETURNING {sql.DelimitIdentifier(key!.GetColumnName(table)!)}" : "");
        IStatement statement = connection is SqliteConnection sqlite
            ? new SqliteStatement(sqlite, text)
            : new CommandStatement(connection, text, placeholders, returnsKey);
        var copy = connection is NpgsqlConnection npgsql && !returnsKey && unlessExists is null
            ? new Copy(npgsql, $"COPY {names.Table<TRow>()} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) FROM STDIN (FORMAT BINARY)")
            : null;
        return new RowInserter<TRow>(columns, statement, copy);
    }

    /// <summary>Inserts <paramref name="row"/>; returns the generated key, or 0 when it is not asked for or the row existed.</summary>
    public ValueTask<long> InsertAsync(TRow row, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            var value = _columns[i].Get(row);
            _values[i] = value is null ? null : _columns[i].Converter?.ConvertToProvider(value) ?? value;
        }

        return _statement.ExecuteAsync(_values, cancellationToken);
    }

    /// <summary>
    /// Inserts <paramref name="rows"/>: on PostgreSQL, when there are several and no key or conflict is
    /// asked for, as one binary COPY (one round trip, where inserts take one per row); otherwise one by one.
    /// </summary>
    public async Task InsertAllAsync(IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
    {
        if (_copy is null || rows.Count < 2)
        {
            foreach (var row in rows)
            {
                await InsertAsync(row, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var import = await _copy.Connection.BeginBinaryImportAsync(_copy.Sql, cancellationToken).ConfigureAwait(false);
        await using (import.ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                foreach (var column in _columns)
                {
                    var value = column.Get(row);
                    if (value is null)
                    {
                        await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await import.WriteAsync(column.Converter?.ConvertToProvider(value) ?? value, column.StoreType, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _statement.Dispose();

    private static Func<TRow, object?> Getter(IProperty property) => Getters.GetOrAdd(property.Name, _ =>
    {
        var info = property.PropertyInfo ?? throw new InvalidOperationException($"{property.Name} has no CLR property.");
        var row = Expression.Parameter(typeof(TRow), "row");
        return Expression.Lambda<Func<TRow, object?>>(Expression.Convert(Expression.Property(row, info), typeof(object)), row).Compile();
    });

    private sealed record Column(Func<TRow, object?> Get, ValueConverter? Converter, string StoreType);

    private sealed record Copy(NpgsqlConnection Connection, string Sql);

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
