using System.Data.Common;
using System.Globalization;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Exchange.Storage.Entities;

namespace Exchange.Storage.Stores;

/// <summary>
/// The standing check run on every call and at every TLS handshake: one parameterised query over four
/// primary keys (the party, the serial's revocation, the serial's issuance record, the reference
/// data's version) on a leased connection. It reads the shared database every time, so a revocation
/// made at any hub instance counts at once, and a grant or declaration changed there is read again
/// here before the call is decided.
/// </summary>
internal sealed class CallerStandingStore(ConnectionLeases leases, ReferenceDataVersion version) : ICallerStandingStore
{
    private static readonly SqlText Sql = new(n =>
        $"SELECT p.{n.Column<PartyRow>(nameof(PartyRow.Status))}, r.{n.Column<CertificateRevocationRow>(nameof(CertificateRevocationRow.Reason))}, " +
        $"c.{n.Column<IssuedCertificateRow>(nameof(IssuedCertificateRow.PartyId))}, c.{n.Column<IssuedCertificateRow>(nameof(IssuedCertificateRow.Sha256Fingerprint))}, " +
        $"v.{n.Column<ReferenceDataVersionRow>(nameof(ReferenceDataVersionRow.Version))} " +
        "FROM (SELECT 1 AS one) AS caller " +
        $"LEFT JOIN {n.Table<PartyRow>()} AS p ON p.{n.Column<PartyRow>(nameof(PartyRow.Id))} = @party " +
        $"LEFT JOIN {n.Table<CertificateRevocationRow>()} AS r ON r.{n.Column<CertificateRevocationRow>(nameof(CertificateRevocationRow.SerialNumber))} = @serial " +
        $"LEFT JOIN {n.Table<IssuedCertificateRow>()} AS c ON c.{n.Column<IssuedCertificateRow>(nameof(IssuedCertificateRow.SerialNumber))} = @serial " +
        $"LEFT JOIN {n.Table<ReferenceDataVersionRow>()} AS v ON v.{n.Column<ReferenceDataVersionRow>(nameof(ReferenceDataVersionRow.Id))} = {ReferenceDataVersion.RowId}");

    public Task<CallerStanding> GetAsync(string partyId, string serialNumber, CancellationToken cancellationToken) =>
        leases.RunAsync(
            async lease =>
            {
                var reader = await Bind(lease, partyId, serialNumber).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return Standing(reader);
                }
            },
            cancellationToken);

    public CallerStanding Get(string partyId, string serialNumber) =>
        leases.Run(lease =>
        {
            using var reader = Bind(lease, partyId, serialNumber).ExecuteReader();
            reader.Read();
            return Standing(reader);
        });

    private DbCommand Bind(ConnectionLease lease, string partyId, string serialNumber)
    {
        var command = lease.Command(Sql.For(lease.Names), "@party", "@serial");
        command.Parameters[0].Value = partyId;
        command.Parameters[1].Value = serialNumber;
        return command;
    }

    private CallerStanding Standing(DbDataReader reader)
    {
        if (!reader.IsDBNull(4))
        {
            version.Observe(reader.GetInt64(4));
        }

        return new(
            reader.IsDBNull(0) || !Enum.TryParse<PartyStatus>(reader.GetString(0), out var status) ? null : status,
            reader.IsDBNull(1) ? null : (RevocationReason)Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
            reader.IsDBNull(2) ? null : new IssuedCertificateStanding(reader.GetString(2), reader.GetString(3)));
    }
}
