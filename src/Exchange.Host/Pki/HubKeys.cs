using System.Security.Cryptography;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Pki;

/// <summary>
/// The hub's own secrets, kept in <c>keys/</c> under the data folder and created on first run:
/// the key that pseudonymises persons in the provision log, and the key that signs its checkpoints.
/// </summary>
internal sealed class HubKeys : ILogSigner, IDisposable
{
    private readonly ECDsa _signing;

    public HubKeys(IOptions<HubOptions> options)
    {
        var directory = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "keys");
        Directory.CreateDirectory(directory);
        var subjectPath = Path.Combine(directory, "subject.key");
        if (!File.Exists(subjectPath))
        {
            WriteSecret(subjectPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        Pseudonyms = new SubjectPseudonyms(Convert.FromBase64String(File.ReadAllText(subjectPath).Trim()));
        var signingPath = Path.Combine(directory, "log-signing.key");
        _signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(signingPath))
        {
            _signing.ImportFromPem(File.ReadAllText(signingPath));
        }
        else
        {
            WriteSecret(signingPath, _signing.ExportPkcs8PrivateKeyPem());
        }

        PublicKeyPem = _signing.ExportSubjectPublicKeyInfoPem();
    }

    public SubjectPseudonyms Pseudonyms { get; }

    /// <summary>The checkpoint verification key, for auditors.</summary>
    public string PublicKeyPem { get; }

    public byte[] Sign(byte[] payload) => _signing.SignData(payload, HashAlgorithmName.SHA256);

    public bool Verify(byte[] payload, byte[] signature) => _signing.VerifyData(payload, signature, HashAlgorithmName.SHA256);

    public void Dispose() => _signing.Dispose();

    private static void WriteSecret(string path, string content)
    {
        File.WriteAllText(path, content + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
