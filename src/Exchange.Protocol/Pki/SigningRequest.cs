using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Exchange.Protocol.Pki;

/// <summary>
/// A PKCS#10 certificate signing request as the hub accepts it: PEM, signed by the key it carries
/// (proof that the requester holds the private key), with a key the hub is willing to certify.
/// Only the public key (and, for a cross-check, the common name) is taken from it: requested
/// extensions are ignored, because the CA builds the certificate profile itself.
/// </summary>
public sealed class SigningRequest
{
    /// <summary>The largest PEM text accepted; a real CSR is well under 4 KiB.</summary>
    public const int MaxPemLength = 16 * 1024;

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const int MinimumRsaBits = 2048;

    private static readonly Dictionary<string, string> AcceptedCurves = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.3.1.7"] = "P-256",
        ["1.3.132.0.34"] = "P-384",
        ["1.3.132.0.35"] = "P-521",
    };

    private SigningRequest(PublicKey publicKey, string keyDescription, string? commonName)
    {
        PublicKey = publicKey;
        KeyDescription = keyDescription;
        CommonName = commonName;
        PublicKeySha256 = PublicKeyFingerprint(publicKey);
    }

    /// <summary>The requester's public key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The key's algorithm and size, e.g. <c>ECDSA P-256</c> or <c>RSA 3072</c>.</summary>
    public string KeyDescription { get; }

    /// <summary>SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex: what a requester reads out to verify its request.</summary>
    public string PublicKeySha256 { get; }

    /// <summary>The subject's common name, when the request names one.</summary>
    public string? CommonName { get; }

    /// <summary>SHA-256 of a public key's DER SubjectPublicKeyInfo, lower-case hex.</summary>
    public static string PublicKeyFingerprint(PublicKey key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>Parses and checks <paramref name="pem"/>; on failure <paramref name="problem"/> says why, in words fit for the requester.</summary>
    public static bool TryParse(string? pem, [NotNullWhen(true)] out SigningRequest? request, [NotNullWhen(false)] out string? problem)
    {
        request = null;
        if (string.IsNullOrWhiteSpace(pem))
        {
            problem = "the certificate signing request is empty";
            return false;
        }

        if (pem.Length > MaxPemLength)
        {
            problem = $"the certificate signing request is longer than {MaxPemLength} characters";
            return false;
        }

        CertificateRequest parsed;
        try
        {
            // The default options verify the request's self-signature and leave requested extensions out.
            parsed = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException e)
        {
            problem = $"not a valid PEM certificate signing request, or its signature does not verify ({e.Message.TrimEnd('.')})";
            return false;
        }
        catch (ArgumentException e)
        {
            problem = $"not a valid PEM certificate signing request ({e.Message.TrimEnd('.')})";
            return false;
        }

        var key = parsed.PublicKey;
        string description;
        switch (key.Oid.Value)
        {
            case EcPublicKeyOid:
                using (var ecdsa = key.GetECDsaPublicKey())
                {
                    var curve = ecdsa?.ExportParameters(false).Curve.Oid.Value;
                    if (curve is null || !AcceptedCurves.TryGetValue(curve, out var name))
                    {
                        problem = "the request's EC key is not on curve P-256, P-384 or P-521";
                        return false;
                    }

                    description = "ECDSA " + name;
                }

                break;
            case RsaOid:
                using (var rsa = key.GetRSAPublicKey())
                {
                    var bits = rsa?.KeySize ?? 0;
                    if (bits < MinimumRsaBits)
                    {
                        problem = $"the request's RSA key has {bits} bits; at least {MinimumRsaBits} are required";
                        return false;
                    }

                    description = $"RSA {bits}";
                }

                break;
            default:
                problem = $"the request's key algorithm ({key.Oid.FriendlyName ?? key.Oid.Value}) is not supported; use ECDSA P-256 or RSA 2048+";
                return false;
        }

        var commonName = parsed.SubjectName.GetSingleElementValue(new Oid("2.5.4.3"));
        request = new SigningRequest(key, description, commonName);
        problem = null;
        return true;
    }
}

/// <summary>Reading single attributes from a distinguished name.</summary>
internal static class DistinguishedNameExtensions
{
    public static string? GetSingleElementValue(this X500DistinguishedName name, Oid attribute)
    {
        string? found = null;
        foreach (var element in name.EnumerateRelativeDistinguishedNames())
        {
            if (element.HasMultipleElements || element.GetSingleElementType().Value != attribute.Value)
            {
                continue;
            }

            if (found is not null)
            {
                return null;
            }

            found = element.GetSingleElementValue();
        }

        return found;
    }
}
