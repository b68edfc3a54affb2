using Exchange.Domain.Parties;

namespace Exchange.Domain.Certificates;

/// <summary>What the registry says about a caller right now: its party's status and its certificate's revocation.</summary>
/// <param name="PartyStatus">The party's status, or null when it is not registered.</param>
/// <param name="Revocation">Why the certificate was revoked, or null when it was not.</param>
public sealed record CallerStanding(PartyStatus? PartyStatus, RevocationReason? Revocation);

/// <summary>
/// Reads a caller's standing from the shared database on every call and at every TLS handshake,
/// so every hub instance refuses a revoked certificate or a suspended party from that moment on.
/// Storage implements it with one small indexed query, cheap enough for every call.
/// </summary>
public interface ICallerStandingStore
{
    /// <summary>The standing of <paramref name="partyId"/> calling with certificate <paramref name="serialNumber"/>.</summary>
    Task<CallerStanding> GetAsync(string partyId, string serialNumber, CancellationToken cancellationToken);

    /// <summary>Why the certificate was revoked, or null: synchronous, for the TLS handshake callback.</summary>
    RevocationReason? FindRevocation(string serialNumber);
}
