using Exchange.Domain.Parties;

namespace Exchange.Domain.Certificates;

/// <summary>
/// What the registry says about a caller right now: its party's status, its certificate's revocation
/// and what the registry recorded when it issued a certificate with that serial.
/// </summary>
/// <param name="PartyStatus">The party's status, or null when it is not registered.</param>
/// <param name="Revocation">Why the certificate was revoked, or null when it was not.</param>
/// <param name="Issued">The certificate recorded under the serial, or null when the registry issued none.</param>
public sealed record CallerStanding(PartyStatus? PartyStatus, RevocationReason? Revocation, IssuedCertificateStanding? Issued);

/// <summary>
/// Reads a caller's standing from the shared database on every call and at every TLS handshake,
/// so every hub instance refuses a revoked or unrecorded certificate or a suspended party from that
/// moment on. Storage implements it with one small indexed query, cheap enough for every call.
/// </summary>
public interface ICallerStandingStore
{
    /// <summary>The standing of <paramref name="partyId"/> calling with certificate <paramref name="serialNumber"/>.</summary>
    Task<CallerStanding> GetAsync(string partyId, string serialNumber, CancellationToken cancellationToken);

    /// <summary>The same standing, synchronously, for the TLS handshake callback.</summary>
    CallerStanding Get(string partyId, string serialNumber);
}
