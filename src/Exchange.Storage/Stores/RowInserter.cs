using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Exchange.Storage.Stores;

/// <summary>
/// Inserts rows of one entity type with one prepared command, in the context's current transaction.
/// For the bulk paths (a batch of records, the provision-log entries that go with them), where EF's
/// change tracking costs several times the insert itself. Table, columns and value conversions come
/// from the EF model, so it follows the schema and works on every provider.
/// </summary>
internal sealed class RowInserter<TRow> : IDisposable
    where TRow : class
{
    private readonly DbCommand _command;
    private readonly Column[] _columns;
    private readonly bool _returnsKey;

    private RowInserter(DbCommand command, Column[] columns, bool returnsKey)
    {
        _command = command;
        _columns = columns;
        _returnsKey = returnsKey;
    }

    /// <summary>Inserts in the transaction this is set to (on its connection).</summary>
    public DbTransaction? Transaction
    {
        set => _command.Transaction = value;
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

        var command = connection.CreateCommand();
        var columns = properties.Select((p, i) =>
        {
            var parameter = command.CreateParameter();
            // Named as the statement names it: a name without the prefix costs SQLite extra lookups on every insert.
            parameter.ParameterName = sql.GenerateParameterNamePlaceholder("p" + i);
            command.Parameters.Add(parameter);
            return new Column(p.PropertyInfo ?? throw new InvalidOperationException($"{p.Name} has no CLR property."), p.GetTypeMapping().Converter, parameter);
        }).ToArray();
        command.CommandText =
            $"INSERT INTO {names.Table<TRow>()} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", columns.Select(c => c.Parameter.ParameterName))})" +
            (unlessExists is null ? "" : $" ON CONFLICT ({string.Join(", ", unlessExists.Select(p => sql.DelimitIdentifier(entity.FindProperty(p)!.GetColumnName(table)!)))}) DO NOTHING") +
            (key is not null && returnKey ? $" RETURNING {sql.DelimitIdentifier(key.GetColumnName(table)!)}" : "");
        return new RowInserter<TRow>(command, columns, key is not null && returnKey);
    }

    /// <summary>Inserts <paramref name="row"/>; returns the generated key, or 0 when it is not asked for or the row existed.</summary>
    public async Task<long> InsertAsync(TRow row, CancellationToken cancellationToken)
    {
        Bind(row);
        if (!_returnsKey)
        {
            await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        return Convert.ToInt64(await _command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _command.Dispose();

    private void Bind(TRow row)
    {
        foreach (var column in _columns)
        {
            var value = column.Property.GetValue(row);
            column.Parameter.Value = (value is null ? null : column.Converter?.ConvertToProvider(value) ?? value) ?? DBNull.Value;
        }
    }

    private sealed record Column(PropertyInfo Property, ValueConverter? Converter, DbParameter Parameter);
}
