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
/// primary keys, on a pooled connection of the hub's database, without EF's per-context and
/// per-connection setup (which costs far more than the query). Table and column names come from the
/// EF model, so it follows the schema on every provider.
/// </summary>
internal sealed class CallerStandingStore(IServiceScopeFactory scopes) : ICallerStandingStore
{
    private readonly Lazy<Query> _query = new(() => Query.Create(scopes), LazyThreadSafetyMode.ExecutionAndPublication);

    public async Task<CallerStanding> GetAsync(string partyId, string serialNumber, CancellationToken cancellationToken)
    {
        var query = _query.Value;
        var connection = query.Factory.CreateConnection()!;
        await using (connection.ConfigureAwait(false))
        {
            connection.ConnectionString = query.ConnectionString;
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = query.Standing(connection, partyId, serialNumber);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return Read(reader);
            }
        }
    }

    public RevocationReason? FindRevocation(string serialNumber)
    {
        var query = _query.Value;
        using var connection = query.Factory.CreateConnection()!;
        connection.ConnectionString = query.ConnectionString;
        connection.Open();
        using var command = query.Standing(connection, "", serialNumber);
        using var reader = command.ExecuteReader();
        reader.Read();
        return Read(reader).Revocation;
    }

    private static CallerStanding Read(DbDataReader reader) => new(
        reader.IsDBNull(0) || !Enum.TryParse<PartyStatus>(reader.GetString(0), out var status) ? null : status,
        reader.IsDBNull(1) ? null : (RevocationReason)Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));

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

        public DbCommand Standing(DbConnection connection, string partyId, string serialNumber)
        {
            var command = connection.CreateCommand();
            command.CommandText = Sql;
            Add(command, "@party", partyId);
            Add(command, "@serial", serialNumber);
            return command;
        }

        private static void Add(DbCommand command, string name, string value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        private static string Table(IEntityType entity) => Quote(entity.GetTableName()!);

        private static string Column(IEntityType entity, string property) =>
            Quote(entity.FindProperty(property)!.GetColumnName(StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()))!);

        private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
