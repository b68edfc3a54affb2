using System.Security.Cryptography;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Pki;

/// <summary>
/// The hub's own secrets, kept in <c>keys/</c> under the data folder and created on first run:
/// the key that pseudonymises persons in the provision log, and the key that signs its checkpoints.
/// The transparency log's note key (<see cref="TreeKey"/>) is read from <c>Exchange:TreeLog:KeyFile</c>
/// when set, and else created there too (only the Development environment allows that).
/// </summary>
internal sealed class HubKeys : ILogSigner, IDisposable
{
    private readonly ECDsa _signing;

    public HubKeys(IOptions<HubOptions> options)
    {
        var directory = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "keys");
        Directory.CreateDirectory(directory);
        Pseudonyms = new SubjectPseudonyms(LoadOrCreateRandomKey(Path.Combine(directory, "subject.key")));
        _signing = LoadOrCreateEcdsaKey(Path.Combine(directory, "log-signing.key"));

        PublicKeyPem = _signing.ExportSubjectPublicKeyInfoPem();
        TreeKey = LoadTreeKey(options.Value, directory);
    }

    /// <summary>The key that signs the Merkle tree's C2SP checkpoints, named after the log's origin.</summary>
    public NoteKey TreeKey { get; }

    public SubjectPseudonyms Pseudonyms { get; }

    /// <summary>The checkpoint verification key, for auditors.</summary>
    public string PublicKeyPem { get; }

    public byte[] Sign(byte[] payload) => _signing.SignData(payload, HashAlgorithmName.SHA256);

    public bool Verify(byte[] payload, byte[] signature) => _signing.VerifyData(payload, signature, HashAlgorithmName.SHA256);

    public void Dispose()
    {
        _signing.Dispose();
        TreeKey.Dispose();
    }

    private static NoteKey LoadTreeKey(HubOptions options, string directory)
    {
        var origin = options.TreeLog.OriginFor(options.TrustDomain);
        var configured = options.TreeLog.KeyFile is { Length: > 0 } file;
        var path = configured ? Path.GetFullPath(options.TreeLog.KeyFile!) : Path.Combine(directory, "tree-log.key");
        if (!File.Exists(path))
        {
            if (configured)
            {
                throw new InvalidOperationException($"Exchange:TreeLog:KeyFile {path} does not exist.");
            }

            using var created = NoteKey.Create(origin);
            WriteSecret(path, created.SignerKey());
        }

        NoteKey key;
        try
        {
            key = NoteKey.Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"The provision log's note key {path} cannot be read: {e.Message}.", e);
        }

        if (key.Name != origin)
        {
            key.Dispose();
            throw new InvalidOperationException($"The provision log's note key {path} is named {key.Name}, not the log's origin {origin} (Exchange:TreeLog:Origin).");
        }

        return key;
    }

    /// <summary>The 32 random bytes kept (base64) at <paramref name="path"/>, created there on first use.</summary>
    internal static byte[] LoadOrCreateRandomKey(string path)
    {
        if (!File.Exists(path))
        {
            WriteSecret(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    /// <summary>The ECDSA P-256 key kept (PKCS#8 PEM) at <paramref name="path"/>, created there on first use.</summary>
    internal static ECDsa LoadOrCreateEcdsaKey(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            WriteSecret(path, key.ExportPkcs8PrivateKeyPem());
        }

        return key;
    }

    private static void WriteSecret(string path, string content)
    {
        File.WriteAllText(path, content + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
