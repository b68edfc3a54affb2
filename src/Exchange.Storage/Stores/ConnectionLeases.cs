using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Exchange.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Exchange.Storage.Stores;

/// <summary>
/// Connections for the hand-written statements: the ones the hub runs on every call (the caller's
/// standing, a record and its opt-out) and the provision log's commits. On SQLite a few open
/// connections are kept here, each lent to one caller at a time with its commands prepared once,
/// and one connection is kept for the log's commits; opening a connection and EF's per-query setup
/// cost several times the statement itself there. On PostgreSQL each use takes a connection from
/// the <see cref="Npgsql.NpgsqlDataSource"/>, whose pool and automatic preparation do the same.
/// </summary>
internal sealed class ConnectionLeases(IServiceScopeFactory scopes, IServiceProvider services) : IDisposable
{
    private const int MaxIdle = 64;
    private readonly Lazy<Database> _database = new(() => Database.Create(scopes, services), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ConcurrentBag<ConnectionLease> _idle = [];
    private ConnectionLease? _writer;
    private bool _disposed;

    /// <summary>Table and column names as the EF model maps them, quoted for the provider.</summary>
    public SchemaNames Names => _database.Value.Names;

    /// <summary>Runs <paramref name="work"/> on a leased connection; a connection that failed is closed, not lent again.</summary>
    public async Task<T> RunAsync<T>(Func<ConnectionLease, Task<T>> work, CancellationToken cancellationToken)
    {
        var lease = _idle.TryTake(out var idle) ? idle : await ConnectionLease.OpenAsync(_database.Value, ConnectionRole.Reader, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await work(lease).ConfigureAwait(false);
            Return(lease);
            return result;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>The synchronous form, for callbacks that cannot wait (the TLS handshake).</summary>
    public T Run<T>(Func<ConnectionLease, T> work)
    {
        var lease = _idle.TryTake(out var idle) ? idle : ConnectionLease.Open(_database.Value);
        try
        {
            var result = work(lease);
            Return(lease);
            return result;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the connection kept for the provision log's commits, for a caller holding
    /// the <see cref="WriteGate"/>: on SQLite always the same connection, so its page cache survives its commits.
    /// A connection that failed is closed and the next call opens another.
    /// </summary>
    public T RunWriter<T>(Func<ConnectionLease, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_database.Value.IsSqlite)
        {
            using var lease = ConnectionLease.Open(_database.Value, ConnectionRole.General);
            return work(lease);
        }

        _writer ??= ConnectionLease.Open(_database.Value, ConnectionRole.General);
        try
        {
            return work(_writer);
        }
        catch
        {
            _writer.Dispose();
            _writer = null;
            throw;
        }
    }

    /// <inheritdoc cref="RunWriter{T}(Func{ConnectionLease, T})"/>
    public async Task<T> RunWriterAsync<T>(Func<ConnectionLease, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_database.Value.IsSqlite)
        {
            using var lease = await ConnectionLease.OpenAsync(_database.Value, ConnectionRole.General, cancellationToken).ConfigureAwait(false);
            return await work(lease).ConfigureAwait(false);
        }

        _writer ??= ConnectionLease.Open(_database.Value, ConnectionRole.General);
        try
        {
            return await work(_writer).ConfigureAwait(false);
        }
        catch
        {
            _writer.Dispose();
            _writer = null;
            throw;
        }
    }

    /// <inheritdoc cref="RunWriter{T}(Func{ConnectionLease, T})"/>
    public void RunWriter(Action<ConnectionLease> work) => RunWriter(lease =>
    {
        work(lease);
        return 0;
    });

    public void Dispose()
    {
        _disposed = true;
        _writer?.Dispose();
        while (_idle.TryTake(out var lease))
        {
            lease.Dispose();
        }
    }

    private void Return(ConnectionLease lease)
    {
        // Npgsql's pool keeps PostgreSQL connections, and their prepared statements, itself.
        if (_disposed || !_database.Value.IsSqlite || _idle.Count >= MaxIdle)
        {
            lease.Dispose();
        }
        else
        {
            _idle.Add(lease);
        }
    }

    /// <summary>How to open connections to the hub's database.</summary>
    /// <param name="NewConnection">Makes a new, closed connection.</param>
    /// <param name="Names">The model's table and column names.</param>
    /// <param name="IsSqlite">Whether it is a SQLite file.</param>
    internal sealed record Database(Func<DbConnection> NewConnection, SchemaNames Names, bool IsSqlite)
    {
        /// <summary>The settings EF's connections get, for these too, by role.</summary>
        public void OnOpened(DbConnection connection, ConnectionRole role)
        {
            if (IsSqlite)
            {
                SqliteConnectionSettings.Apply(connection, role);
            }
        }

        public static Database Create(IServiceScopeFactory scopes, IServiceProvider services)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            var names = new SchemaNames(db.Model, db.GetService<ISqlGenerationHelper>());
            if (db.Database.IsSqlite())
            {
                var connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The database has no connection string.");
                return new Database(() => new SqliteConnection(connectionString), names, IsSqlite: true);
            }

            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            return new Database(dataSource.CreateConnection, names, IsSqlite: false);
        }
    }
}

/// <summary>One open connection and the commands prepared on it.</summary>
internal sealed class ConnectionLease : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, object> _inserters = [];

    private ConnectionLease(DbConnection connection, SchemaNames names)
    {
        Connection = connection;
        Names = names;
    }

    public DbConnection Connection { get; }

    public SchemaNames Names { get; }

    /// <summary>The command for <paramref name="sql"/> with parameters named <paramref name="parameters"/>, prepared on first use.</summary>
    public DbCommand Command(string sql, params ReadOnlySpan<string> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            _commands.Add(sql, command);
        }

        return command;
    }

    /// <summary>The prepared insert for <typeparamref name="TRow"/> on this connection.</summary>
    public RowInserter<TRow> Inserter<TRow>()
        where TRow : class
    {
        if (!_inserters.TryGetValue(typeof(TRow), out var inserter))
        {
            inserter = RowInserter<TRow>.Create(Names, Connection);
            _inserters.Add(typeof(TRow), inserter);
        }

        return (RowInserter<TRow>)inserter;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        foreach (var inserter in _inserters.Values.Cast<IDisposable>())
        {
            inserter.Dispose();
        }

        Connection.Dispose();
    }

    internal static ConnectionLease Open(ConnectionLeases.Database database, ConnectionRole role = ConnectionRole.Reader)
    {
        var connection = database.NewConnection();
        try
        {
            connection.Open();
            database.OnOpened(connection, role);
            return new ConnectionLease(connection, database.Names);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal static async Task<ConnectionLease> OpenAsync(ConnectionLeases.Database database, ConnectionRole role, CancellationToken cancellationToken)
    {
        var connection = database.NewConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            database.OnOpened(connection, role);
            return new ConnectionLease(connection, database.Names);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>SQL written with the model's names, built on first use and then reused by every call.</summary>
internal sealed class SqlText(Func<SchemaNames, string> build)
{
    private Built? _built;

    public string For(SchemaNames names)
    {
        if (_built is { } built && ReferenceEquals(built.Names, names))
        {
            return built.Text;
        }

        var text = build(names);
        _built = new Built(names, text);
        return text;
    }

    private sealed record Built(SchemaNames Names, string Text);
}

/// <summary>Table and column names from the EF model, delimited for the provider, so hand-written SQL follows the schema.</summary>
internal sealed class SchemaNames(IModel model, ISqlGenerationHelper sql)
{
    private readonly ConcurrentDictionary<(Type, string), ValueConverter?> _converters = new();

    public ISqlGenerationHelper Sql => sql;

    public IEntityType Entity<TRow>() => model.FindEntityType(typeof(TRow)) ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not in the model.");

    /// <summary>The delimited table name of <typeparamref name="TRow"/>.</summary>
    public string Table<TRow>()
    {
        var table = StoreObject<TRow>();
        return sql.DelimitIdentifier(table.Name, table.Schema);
    }

    /// <summary>The delimited column name of <typeparamref name="TRow"/>'s property <paramref name="property"/>.</summary>
    public string Column<TRow>(string property) =>
        sql.DelimitIdentifier(Entity<TRow>().FindProperty(property)?.GetColumnName(StoreObject<TRow>()) ?? throw new InvalidOperationException($"{typeof(TRow).Name}.{property} is not mapped."));

    /// <summary>A value read from <typeparamref name="TRow"/>'s column for <paramref name="property"/>, converted back as the model maps it.</summary>
    public T Read<TRow, T>(string property, object value)
    {
        var converter = _converters.GetOrAdd((typeof(TRow), property), key => model.FindEntityType(key.Item1)?.FindProperty(key.Item2)?.GetTypeMapping().Converter);
        return (T)(converter is null ? value : converter.ConvertFromProvider(value))!;
    }

    public StoreObjectIdentifier StoreObject<TRow>()
    {
        var entity = Entity<TRow>();
        return StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
    }
}
