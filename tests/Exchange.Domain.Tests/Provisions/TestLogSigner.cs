using System.Security.Cryptography;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Tests.Provisions;

/// <summary>A log key of the test's own (P-256, as the hub's).</summary>
internal sealed class TestLogSigner : ILogSigner, IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] Sign(byte[] payload) => _key.SignData(payload, HashAlgorithmName.SHA256);

    public bool Verify(byte[] payload, byte[] signature) => _key.VerifyData(payload, signature, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}
