using Exchange.Domain.Certificates;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class CertificateStore(Lazy<ExchangeDbContext> context) : ICertificateStore
{
    private ExchangeDbContext Db => context.Value;

    public Task AddRequestAsync(SigningRequestRecord request, CancellationToken cancellationToken)
    {
        Db.SigningRequests.Add(new SigningRequestRow
        {
            Id = request.Id,
            PartyId = request.PartyId,
            CsrPem = request.CsrPem,
            KeyDescription = request.KeyDescription,
            PublicKeySha256 = request.PublicKeySha256,
            SubmittedAt = request.SubmittedAt,
            SubmittedBy = request.SubmittedBy,
            Status = request.Status.ToString(),
        });
        return Task.CompletedTask;
    }

    public async Task<SigningRequestRecord?> FindRequestAsync(string id, CancellationToken cancellationToken) =>
        await Db.SigningRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false) is { } row ? Request(row) : null;

    public async Task<IReadOnlyList<SigningRequestRecord>> ListRequestsAsync(string? partyId, SigningRequestStatus? status, CancellationToken cancellationToken)
    {
        var query = Db.SigningRequests.AsNoTracking();
        if (partyId is not null)
        {
            query = query.Where(r => r.PartyId == partyId);
        }

        if (status is { } s)
        {
            var name = s.ToString();
            query = query.Where(r => r.Status == name);
        }

        // IDs are version-7 GUIDs: they sort by submission time.
        return (await query.OrderByDescending(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(Request).ToList();
    }

    public async Task<bool> DecideRequestAsync(string id, SigningRequestStatus status, DateTimeOffset at, string decidedBy, string? note, string? certificateSerial, CancellationToken cancellationToken)
    {
        // Conditional on the request still being pending: of two concurrent decisions (possibly at
        // two hub instances), exactly one updates the row.
        var pending = nameof(SigningRequestStatus.Pending);
        var name = status.ToString();
        return await Db.SigningRequests
            .Where(r => r.Id == id && r.Status == pending)
            .ExecuteUpdateAsync(
                u => u.SetProperty(r => r.Status, name).SetProperty(r => r.DecidedAt, at).SetProperty(r => r.DecidedBy, decidedBy)
                    .SetProperty(r => r.DecisionNote, note).SetProperty(r => r.CertificateSerial, certificateSerial),
                cancellationToken)
            .ConfigureAwait(false) == 1;
    }

    public Task AddCertificateAsync(CertificateRecord certificate, CancellationToken cancellationToken)
    {
        Db.IssuedCertificates.Add(new IssuedCertificateRow
        {
            SerialNumber = certificate.SerialNumber,
            PartyId = certificate.PartyId,
            NotBefore = certificate.NotBefore,
            NotAfter = certificate.NotAfter,
            Sha256Fingerprint = certificate.Sha256Fingerprint,
            PublicKeySha256 = certificate.PublicKeySha256,
            Kind = certificate.Kind.ToString(),
            RequestId = certificate.RequestId,
            RenewedFrom = certificate.RenewedFrom,
            IssuedAt = certificate.IssuedAt,
            IssuedBy = certificate.IssuedBy,
            CertificatePem = certificate.CertificatePem,
        });
        return Task.CompletedTask;
    }

    public async Task<CertificateRecord?> FindCertificateAsync(string serialNumber, CancellationToken cancellationToken) =>
        (await WithRevocationsAsync(Db.IssuedCertificates.Where(c => c.SerialNumber == serialNumber), cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async Task<CertificateRecord?> FindByPublicKeyAsync(string publicKeySha256, CancellationToken cancellationToken) =>
        (await WithRevocationsAsync(Db.IssuedCertificates.Where(c => c.PublicKeySha256 == publicKeySha256).OrderBy(c => c.SerialNumber).Take(1), cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<CertificateRecord>> ListCertificatesAsync(string? partyId, CancellationToken cancellationToken) =>
        await WithRevocationsAsync(partyId is null ? Db.IssuedCertificates : Db.IssuedCertificates.Where(c => c.PartyId == partyId), cancellationToken).ConfigureAwait(false);

    public Task AddRevocationAsync(RevocationRecord revocation, CancellationToken cancellationToken)
    {
        Db.CertificateRevocations.Add(new CertificateRevocationRow
        {
            SerialNumber = revocation.SerialNumber,
            PartyId = revocation.PartyId,
            RevokedAt = revocation.RevokedAt,
            Reason = (int)revocation.Reason,
            Note = revocation.Note,
            RevokedBy = revocation.RevokedBy,
        });
        return Task.CompletedTask;
    }

    public async Task<RevocationRecord?> FindRevocationAsync(string serialNumber, CancellationToken cancellationToken) =>
        await Db.CertificateRevocations.AsNoTracking().FirstOrDefaultAsync(r => r.SerialNumber == serialNumber, cancellationToken).ConfigureAwait(false) is { } row ? Revocation(row) : null;

    public async Task<IReadOnlyList<RevocationRecord>> ListRevocationsAsync(CancellationToken cancellationToken) =>
        (await Db.CertificateRevocations.AsNoTracking().OrderBy(r => r.RevokedAt).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(Revocation).ToList();

    internal static RevocationRecord Revocation(CertificateRevocationRow row) =>
        new(row.SerialNumber, row.PartyId, row.RevokedAt, (RevocationReason)row.Reason, row.Note, row.RevokedBy);

    private static SigningRequestRecord Request(SigningRequestRow row) => new(
        row.Id, row.PartyId, row.CsrPem, row.KeyDescription, row.PublicKeySha256, row.SubmittedAt, row.SubmittedBy,
        Enum.Parse<SigningRequestStatus>(row.Status), row.DecidedAt, row.DecidedBy, row.DecisionNote, row.CertificateSerial);

    private async Task<List<CertificateRecord>> WithRevocationsAsync(IQueryable<IssuedCertificateRow> certificates, CancellationToken cancellationToken)
    {
        var rows = await certificates.AsNoTracking()
            .GroupJoin(Db.CertificateRevocations.AsNoTracking(), c => c.SerialNumber, r => r.SerialNumber, (c, r) => new { Certificate = c, Revocations = r })
            .SelectMany(x => x.Revocations.DefaultIfEmpty(), (x, r) => new { x.Certificate, Revocation = r })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows
            .OrderByDescending(x => x.Certificate.IssuedAt).ThenBy(x => x.Certificate.SerialNumber, StringComparer.Ordinal)
            .Select(x => new CertificateRecord(
                x.Certificate.SerialNumber, x.Certificate.PartyId, x.Certificate.NotBefore, x.Certificate.NotAfter, x.Certificate.Sha256Fingerprint,
                x.Certificate.PublicKeySha256, Enum.Parse<IssuanceKind>(x.Certificate.Kind), x.Certificate.RequestId, x.Certificate.RenewedFrom,
                x.Certificate.IssuedAt, x.Certificate.IssuedBy, x.Certificate.CertificatePem, x.Revocation is null ? null : Revocation(x.Revocation)))
            .ToList();
    }
}
