using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Exchange.Protocol.Identity;

/// <summary>
/// The identity of one party at the hub: a SPIFFE ID of the form
/// <c>spiffe://&lt;trust-domain&gt;/party/&lt;party-id&gt;</c>, carried as the only URI SAN of its
/// client certificate.
/// </summary>
public sealed record PartySpiffeId
{
    private const string Prefix = "spiffe://";
    private const string PartySegment = "/party/";
    private const string SubjectAltNameOid = "2.5.29.17";

    private PartySpiffeId(string trustDomain, string partyId)
    {
        TrustDomain = trustDomain;
        PartyId = partyId;
    }

    /// <summary>The trust domain, for example <c>exchange.local</c>.</summary>
    public string TrustDomain { get; }

    /// <summary>The party's ID within the trust domain, for example <c>garage-kaminoyama</c>.</summary>
    public string PartyId { get; }

    /// <summary>Creates an ID after checking both parts against the SPIFFE character rules.</summary>
    /// <exception cref="ArgumentException">A part is empty, too long or has a character SPIFFE forbids.</exception>
    public static PartySpiffeId Create(string trustDomain, string partyId)
    {
        if (!IsValidTrustDomain(trustDomain))
        {
            throw new ArgumentException($"'{trustDomain}' is not a valid SPIFFE trust domain (lowercase letters, digits, '.', '-', '_').", nameof(trustDomain));
        }

        if (!IsValidPartyId(partyId))
        {
            throw new ArgumentException($"'{partyId}' is not a valid party ID (1-64 of lowercase letters, digits, '.', '-', '_').", nameof(partyId));
        }

        return new PartySpiffeId(trustDomain, partyId);
    }

    /// <summary>Parses <c>spiffe://trust-domain/party/party-id</c>; anything else is refused.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out PartySpiffeId? id)
    {
        id = null;
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var trustDomain = rest[..slash].ToString();
        var path = rest[slash..];
        if (!path.StartsWith(PartySegment, StringComparison.Ordinal))
        {
            return false;
        }

        var partyId = path[PartySegment.Length..].ToString();
        if (!IsValidTrustDomain(trustDomain) || !IsValidPartyId(partyId))
        {
            return false;
        }

        id = new PartySpiffeId(trustDomain, partyId);
        return true;
    }

    /// <summary>
    /// Reads the party ID from a certificate. Per the X.509-SVID rules the certificate must carry
    /// exactly one URI SAN, and it must be a party SPIFFE ID.
    /// </summary>
    public static bool TryFromCertificate(X509Certificate2 certificate, [NotNullWhen(true)] out PartySpiffeId? id)
    {
        id = null;
        var uris = ReadUriSubjectAltNames(certificate);
        return uris.Count == 1 && TryParse(uris[0], out id);
    }

    /// <summary>Reads every URI entry of the certificate's subject alternative name extension.</summary>
    public static IReadOnlyList<string> ReadUriSubjectAltNames(X509Certificate2 certificate)
    {
        var result = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
                var names = reader.ReadSequence();
                while (names.HasData)
                {
                    var tag = names.PeekTag();
                    // GeneralName uniformResourceIdentifier is [6] IA5String.
                    if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 6)
                    {
                        result.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
                    }
                    else
                    {
                        names.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                return [];
            }
        }

        return result;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Prefix}{TrustDomain}{PartySegment}{PartyId}";

    private static bool IsValidTrustDomain(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 255 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    private static bool IsValidPartyId(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 && value is not ("." or "..") && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');
}
