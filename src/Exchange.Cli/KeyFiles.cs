using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Exchange.Cli;

/// <summary>
/// Key pairs and signing requests made on the partner's own machine, and the files they go to. A
/// private key is written once, readable by its owner only (0600), and never sent anywhere.
/// </summary>
internal static class KeyFiles
{
    public static readonly string[] KeyTypes = ["ecdsa-p256", "ecdsa-p384", "rsa-3072"];

    /// <summary>A new key pair and a PEM CSR for it naming <paramref name="partyId"/> as common name.</summary>
    public static (AsymmetricAlgorithm Key, string KeyPem, string CsrPem, string PublicKeySha256) NewRequest(string keyType, string partyId)
    {
        AsymmetricAlgorithm key;
        CertificateRequest request;
        var subject = new X500DistinguishedName($"CN={partyId}");
        switch (keyType)
        {
            case "rsa-3072":
                var rsa = RSA.Create(3072);
                key = rsa;
                request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                break;
            case "ecdsa-p384":
                var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
                key = p384;
                request = new CertificateRequest(subject, p384, HashAlgorithmName.SHA384);
                break;
            default:
                var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                key = p256;
                request = new CertificateRequest(subject, p256, HashAlgorithmName.SHA256);
                break;
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(request.PublicKey.ExportSubjectPublicKeyInfo()));
        return (key, key.ExportPkcs8PrivateKeyPem() + "\n", request.CreateSigningRequestPem() + "\n", fingerprint);
    }

    /// <summary>Writes a new file; an existing one is replaced only with <paramref name="overwrite"/>. Secrets get mode 0600 from the start.</summary>
    public static void Write(string path, string content, bool secret, bool overwrite)
    {
        if (File.Exists(path))
        {
            if (!overwrite)
            {
                throw new CliException(ExitCodes.Conflict, $"{path} exists already; use --force to replace it");
            }

            File.Delete(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, Options(secret));
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    /// <summary>
    /// Replaces several files together: all are written to temporary files next to their targets
    /// first, then moved into place, so a failure never leaves a new certificate beside an old key.
    /// </summary>
    public static void ReplaceTogether(IReadOnlyList<(string Path, string Content, bool Secret)> files)
    {
        var staged = new List<(string Temporary, string Target)>();
        try
        {
            foreach (var (path, content, secret) in files)
            {
                var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
                staged.Add((temporary, path));
                Write(temporary, content, secret, overwrite: false);
            }

            foreach (var (temporary, target) in staged)
            {
                File.Move(temporary, target, overwrite: true);
            }
        }
        finally
        {
            foreach (var (temporary, _) in staged.Where(s => File.Exists(s.Temporary)))
            {
                File.Delete(temporary);
            }
        }
    }

    private static FileStreamOptions Options(bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        return options;
    }
}
