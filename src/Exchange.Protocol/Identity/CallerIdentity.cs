using System.Security.Cryptography.X509Certificates;

namespace Exchange.Protocol.Identity;

/// <summary>Who is calling: the party named by the client certificate presented on the connection.</summary>
/// <param name="Id">The party's SPIFFE ID from the certificate's URI SAN.</param>
/// <param name="Certificate">The validated client certificate.</param>
public sealed record CallerIdentity(PartySpiffeId Id, X509Certificate2 Certificate)
{
    /// <summary>The certificate's serial number in upper-case hex, as a CRL names it.</summary>
    public string SerialNumber => Certificate.SerialNumber;

    /// <summary>The party ID within the SPIFFE ID.</summary>
    public string PartyId => Id.PartyId;
}
