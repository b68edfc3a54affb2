namespace Exchange.Domain.Certificates;

/// <summary>
/// What the registry recorded for a serial number when it issued (or recorded) that certificate:
/// enough to tell the certificate presented from another one signed with the same serial.
/// </summary>
/// <param name="PartyId">The party the certificate was issued to.</param>
/// <param name="Sha256Fingerprint">SHA-256 of the certificate's DER encoding (lower-case hex).</param>
public sealed record IssuedCertificateStanding(string PartyId, string Sha256Fingerprint);
