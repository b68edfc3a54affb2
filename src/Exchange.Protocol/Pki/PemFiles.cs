using System.Security.Cryptography.X509Certificates;

namespace Exchange.Protocol.Pki;

/// <summary>Loads PEM certificates and keys from files.</summary>
public static class PemFiles
{
    /// <summary>Loads a certificate and its private key.</summary>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath) =>
        X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

    /// <summary>Loads every certificate in a PEM file (a CA bundle).</summary>
    public static X509Certificate2Collection LoadCertificates(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        if (collection.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no PEM certificate.");
        }

        return collection;
    }
}
