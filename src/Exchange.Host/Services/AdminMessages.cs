using System.Text;
using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Google.Protobuf.WellKnownTypes;
using DomainIssuance = Exchange.Domain.Certificates.Issuance;

namespace Exchange.Host.Services;

/// <summary>Maps the registry's and the CA's domain records to and from their wire messages.</summary>
internal static class AdminMessages
{
    public static PartyInfo ToMessage(this PartyDetails details, string trustDomain)
    {
        var party = details.Party;
        return new PartyInfo
        {
            PartyId = party.Id,
            Role = party.Role.ToWire(),
            State = ToState(party.Status),
            NameJa = party.NameJa,
            NameEn = party.NameEn,
            Contact = details.Contact ?? "",
            SpiffeId = $"spiffe://{trustDomain}/party/{party.Id}",
            CreatedAt = Timestamp.FromDateTimeOffset(details.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(details.UpdatedAt),
        };
    }

    public static PartyStatus? ToStatus(PartyState state) => state switch
    {
        PartyState.Unspecified => null,
        PartyState.Active => PartyStatus.Active,
        PartyState.Suspended => PartyStatus.Suspended,
        PartyState.Withdrawn => PartyStatus.Withdrawn,
        _ => throw Invalid($"state {(int)state} is not a party state"),
    };

    public static AuthorisationInfo ToMessage(this RecordedAuthorisation recorded, DateTimeOffset now)
    {
        var authorisation = recorded.Authorisation;
        var message = new AuthorisationInfo
        {
            AuthorisationId = recorded.Id,
            GarageParty = authorisation.GarageId,
            VendorParty = authorisation.VendorId,
            ValidFrom = Timestamp.FromDateTimeOffset(authorisation.ValidFrom),
            ValidUntil = Optional(authorisation.ValidUntil),
            Current = recorded.RevokedAt is null && authorisation.ValidFrom <= now && (authorisation.ValidUntil is null || authorisation.ValidUntil > now),
            RecordedAt = Timestamp.FromDateTimeOffset(recorded.RecordedAt),
            RecordedBy = recorded.RecordedBy ?? "",
            RevokedAt = Optional(recorded.RevokedAt),
            RevokedBy = recorded.RevokedBy ?? "",
        };
        message.Operations.AddRange(authorisation.Operations.Order(StringComparer.Ordinal));
        return message;
    }

    public static SigningRequestInfo ToMessage(this SigningRequestRecord request) => new()
    {
        RequestId = request.Id,
        PartyId = request.PartyId,
        State = request.Status switch
        {
            SigningRequestStatus.Pending => SigningRequestState.Pending,
            SigningRequestStatus.Approved => SigningRequestState.Approved,
            _ => SigningRequestState.Rejected,
        },
        Key = request.KeyDescription,
        PublicKeySha256 = request.PublicKeySha256,
        SubmittedAt = Timestamp.FromDateTimeOffset(request.SubmittedAt),
        SubmittedBy = request.SubmittedBy,
        DecidedAt = Optional(request.DecidedAt),
        DecidedBy = request.DecidedBy ?? "",
        DecisionNote = request.DecisionNote ?? "",
        CertificateSerial = request.CertificateSerial ?? "",
    };

    public static SigningRequestStatus? ToStatus(SigningRequestState state) => state switch
    {
        SigningRequestState.Unspecified => null,
        SigningRequestState.Pending => SigningRequestStatus.Pending,
        SigningRequestState.Approved => SigningRequestStatus.Approved,
        SigningRequestState.Rejected => SigningRequestStatus.Rejected,
        _ => throw Invalid($"state {(int)state} is not a signing request state"),
    };

    public static CertificateInfo ToMessage(this CertificateRecord certificate, DateTimeOffset now)
    {
        var message = new CertificateInfo
        {
            SerialNumber = certificate.SerialNumber,
            PartyId = certificate.PartyId,
            NotBefore = Timestamp.FromDateTimeOffset(certificate.NotBefore),
            NotAfter = Timestamp.FromDateTimeOffset(certificate.NotAfter),
            Sha256Fingerprint = certificate.Sha256Fingerprint,
            PublicKeySha256 = certificate.PublicKeySha256,
            Origin = certificate.Kind switch
            {
                IssuanceKind.Approved => CertificateOrigin.Approved,
                IssuanceKind.Renewed => CertificateOrigin.Renewed,
                IssuanceKind.Bootstrap => CertificateOrigin.Bootstrap,
                _ => CertificateOrigin.Development,
            },
            RequestId = certificate.RequestId ?? "",
            RenewedFrom = certificate.RenewedFrom ?? "",
            IssuedAt = Timestamp.FromDateTimeOffset(certificate.IssuedAt),
            IssuedBy = certificate.IssuedBy,
            State = CertificateRegistry.ValidityOf(certificate, now) switch
            {
                CertificateValidity.Valid => CertificateState.Valid,
                CertificateValidity.NotYetValid => CertificateState.NotYetValid,
                CertificateValidity.Expired => CertificateState.Expired,
                _ => CertificateState.Revoked,
            },
        };
        AddRevocation(message, certificate.Revocation);
        return message;
    }

    public static CertificateInfo ToMessage(this RevokedCertificate revoked, DateTimeOffset now)
    {
        if (revoked.Certificate is { } certificate)
        {
            return certificate.ToMessage(now);
        }

        var message = new CertificateInfo { SerialNumber = revoked.Revocation.SerialNumber, PartyId = revoked.Revocation.PartyId ?? "", State = CertificateState.Revoked };
        AddRevocation(message, revoked.Revocation);
        return message;
    }

    public static IssuedCertificate ToMessage(this DomainIssuance issuance, DateTimeOffset now) => new()
    {
        Certificate = issuance.Record.ToMessage(now),
        CertificatePem = issuance.ChainPem,
        CaPem = issuance.TrustAnchorsPem,
    };

    public static RevocationReason? ToReason(CertificateRevocationReason reason) => reason switch
    {
        CertificateRevocationReason.KeyCompromise => RevocationReason.KeyCompromise,
        CertificateRevocationReason.AffiliationChanged => RevocationReason.AffiliationChanged,
        CertificateRevocationReason.Superseded => RevocationReason.Superseded,
        CertificateRevocationReason.CessationOfOperation => RevocationReason.CessationOfOperation,
        CertificateRevocationReason.PrivilegeWithdrawn => RevocationReason.PrivilegeWithdrawn,
        _ => null,
    };

    public static GetCrlResponse ToMessage(this RevocationList crl) => new()
    {
        CrlDer = Google.Protobuf.ByteString.CopyFrom(crl.Der),
        CrlPem = ToPem(crl.Der),
        ThisUpdate = Timestamp.FromDateTimeOffset(crl.ThisUpdate),
        NextUpdate = Timestamp.FromDateTimeOffset(crl.NextUpdate),
        Entries = crl.Entries,
    };

    public static AuditEvent ToMessage(this RecordedAuditEvent recorded) => new()
    {
        Sequence = recorded.Sequence,
        Time = Timestamp.FromDateTimeOffset(recorded.Event.Time),
        Actor = recorded.Event.Actor,
        Action = recorded.Event.Action,
        Subject = recorded.Event.Subject,
        Details = recorded.Event.Details,
        StaffId = recorded.Event.StaffId ?? "",
    };

    public static DateTimeOffset? FromOptional(Timestamp? timestamp) => timestamp?.ToDateTimeOffset();

    private static string ToPem(byte[] der) => new StringBuilder().Append(System.Security.Cryptography.PemEncoding.Write("X509 CRL", der)).Append('\n').ToString();

    private static void AddRevocation(CertificateInfo message, RevocationRecord? revocation)
    {
        if (revocation is null)
        {
            return;
        }

        message.RevokedAt = Timestamp.FromDateTimeOffset(revocation.RevokedAt);
        message.RevocationReason = (CertificateRevocationReason)(int)revocation.Reason;
        message.RevocationNote = revocation.Note ?? "";
        message.RevokedBy = revocation.RevokedBy;
    }

    private static PartyState ToState(PartyStatus status) => status switch
    {
        PartyStatus.Active => PartyState.Active,
        PartyStatus.Suspended => PartyState.Suspended,
        _ => PartyState.Withdrawn,
    };

    private static Timestamp? Optional(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    private static ExchangeException Invalid(string message) => new(FailureKind.InvalidArgument, message);
}
