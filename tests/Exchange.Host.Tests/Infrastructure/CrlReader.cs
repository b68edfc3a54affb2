using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// An independent reading of a DER CRL (RFC 5280 §5) with System.Formats.Asn1, so the tests do not
/// check the hub's CRL with the same builder that made it.
/// </summary>
public sealed class CrlReader
{
    private const string ReasonCodeOid = "2.5.29.21";

    private CrlReader(byte[] tbs, byte[] signature, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, List<(string Serial, int Reason)> entries)
    {
        Tbs = tbs;
        Signature = signature;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        Entries = entries;
    }

    public byte[] Tbs { get; }

    public byte[] Signature { get; }

    /// <summary>The issuer's DER-encoded name.</summary>
    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>Revoked serial numbers (upper-case hex) and their reason codes (-1: none).</summary>
    public IReadOnlyList<(string Serial, int Reason)> Entries { get; }

    public static CrlReader Read(byte[] der)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbsBytes = list.PeekEncodedValue().ToArray();
        var tbs = list.ReadSequence();
        list.ReadSequence(); // signatureAlgorithm
        var signature = list.ReadBitString(out _);

        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger(); // version
        }

        tbs.ReadSequence(); // signature algorithm
        var issuer = tbs.ReadEncodedValue().ToArray();
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var entries = new List<(string, int)>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var revoked = tbs.ReadSequence();
            while (revoked.HasData)
            {
                var entry = revoked.ReadSequence();
                var serial = Convert.ToHexString(entry.ReadIntegerBytes().Span);
                ReadTime(entry);
                var reason = -1;
                if (entry.HasData)
                {
                    var extensions = entry.ReadSequence();
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadSequence();
                        var oid = extension.ReadObjectIdentifier();
                        if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                        {
                            extension.ReadBoolean();
                        }

                        var value = extension.ReadOctetString();
                        if (oid == ReasonCodeOid)
                        {
                            reason = (int)new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedBytes().Span[^1];
                        }
                    }
                }

                entries.Add((serial, reason));
            }
        }

        return new CrlReader(tbsBytes, signature, issuer, thisUpdate, nextUpdate, entries);
    }

    /// <summary>Checks the signature over the TBSCertList with the CA's public key (ECDSA or RSA).</summary>
    public bool VerifySignature(X509Certificate2 ca)
    {
        using var ecdsa = ca.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.VerifyData(Tbs, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = ca.GetRSAPublicKey()!;
        return rsa.VerifyData(Tbs, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
