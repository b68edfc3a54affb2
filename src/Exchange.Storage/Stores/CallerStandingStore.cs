using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Stores;

/// <summary>
/// The standing check run on every call and at every TLS handshake: one parameterised query over two
/// primary keys. It reads the shared database every time (so a revocation made at any hub instance
/// counts at once), but keeps a few open connections with the statement prepared, because opening a
/// connection and EF's per-context setup cost far more than the query itself. Table and column names
/// come from the EF model, so the query follows the schema on every provider.
/// </summary>
internal sealed class CallerStandingStore(IServiceScopeFactory scopes) : ICallerStandingStore, IDisposable
{
    private const int MaxIdleConnections = 16;
    private readonly Lazy<Query> _query = new(() => Query.Create(scopes), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ConcurrentBag<Lease> _idle = [];
    private bool _disposed;

    public async Task<CallerStanding> GetAsync(string partyId, string serialNumber, CancellationToken cancellationToken)
    {
        var lease = _idle.TryTake(out var idle) ? idle : await Lease.OpenAsync(_query.Value, cancellationToken).ConfigureAwait(false);
        try
        {
            var standing = await lease.ReadAsync(partyId, serialNumber, cancellationToken).ConfigureAwait(false);
            Return(lease);
            return standing;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public RevocationReason? FindRevocation(string serialNumber)
    {
        var lease = _idle.TryTake(out var idle) ? idle : Lease.Open(_query.Value);
        try
        {
            var standing = lease.Read("", serialNumber);
            Return(lease);
            return standing.Revocation;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var lease))
        {
            lease.Dispose();
        }
    }

    private void Return(Lease lease)
    {
        if (_disposed || _idle.Count >= MaxIdleConnections)
        {
            lease.Dispose();
        }
        else
        {
            _idle.Add(lease);
        }
    }

    private sealed record Query(DbProviderFactory Factory, string ConnectionString, string Sql)
    {
        public static Query Create(IServiceScopeFactory scopes)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            var parties = db.Model.FindEntityType(typeof(PartyRow))!;
            var revocations = db.Model.FindEntityType(typeof(CertificateRevocationRow))!;
            var sql =
                $"SELECT (SELECT {Column(parties, nameof(PartyRow.Status))} FROM {Table(parties)} WHERE {Column(parties, nameof(PartyRow.Id))} = @party), " +
                $"(SELECT {Column(revocations, nameof(CertificateRevocationRow.Reason))} FROM {Table(revocations)} WHERE {Column(revocations, nameof(CertificateRevocationRow.SerialNumber))} = @serial)";
            return new Query(
                DbProviderFactories.GetFactory(db.Database.GetDbConnection()) ?? throw new InvalidOperationException("The database provider has no DbProviderFactory."),
                db.Database.GetConnectionString() ?? throw new InvalidOperationException("The database has no connection string."),
                sql);
        }

        private static string Table(IEntityType entity) => Quote(entity.GetTableName()!);

        private static string Column(IEntityType entity, string property) =>
            Quote(entity.FindProperty(property)!.GetColumnName(StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()))!);

        private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>An open connection with the prepared standing query; used by one caller at a time.</summary>
    private sealed class Lease : IDisposable
    {
        private readonly DbConnection _connection;
        private readonly DbCommand _command;
        private readonly DbParameter _party;
        private readonly DbParameter _serial;

        private Lease(DbConnection connection, string sql)
        {
            _connection = connection;
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            _party = Add(_command, "@party");
            _serial = Add(_command, "@serial");
        }

        public static Lease Open(Query query)
        {
            var connection = Create(query);
            try
            {
                connection.Open();
                return Prepared(connection, query);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public static async Task<Lease> OpenAsync(Query query, CancellationToken cancellationToken)
        {
            var connection = Create(query);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return Prepared(connection, query);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public CallerStanding Read(string partyId, string serialNumber)
        {
            Bind(partyId, serialNumber);
            using var reader = _command.ExecuteReader();
            reader.Read();
            return Standing(reader);
        }

        public async Task<CallerStanding> ReadAsync(string partyId, string serialNumber, CancellationToken cancellationToken)
        {
            Bind(partyId, serialNumber);
            var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return Standing(reader);
            }
        }

        public void Dispose()
        {
            _command.Dispose();
            _connection.Dispose();
        }

        private static DbConnection Create(Query query)
        {
            var connection = query.Factory.CreateConnection() ?? throw new InvalidOperationException("The database provider made no connection.");
            connection.ConnectionString = query.ConnectionString;
            return connection;
        }

        private static Lease Prepared(DbConnection connection, Query query)
        {
            var lease = new Lease(connection, query.Sql);
            lease.Bind("", "");
            lease._command.Prepare();
            return lease;
        }

        private static DbParameter Add(DbCommand command, string name)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = System.Data.DbType.String;
            command.Parameters.Add(parameter);
            return parameter;
        }

        private static CallerStanding Standing(DbDataReader reader) => new(
            reader.IsDBNull(0) || !Enum.TryParse<PartyStatus>(reader.GetString(0), out var status) ? null : status,
            reader.IsDBNull(1) ? null : (RevocationReason)Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));

        private void Bind(string partyId, string serialNumber)
        {
            _party.Value = partyId;
            _serial.Value = serialNumber;
        }
    }
}
