using System.Security.Cryptography;
using Exchange.Host.Configuration;
using Exchange.Host.Pki;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Exchange.Host.Tokens;

/// <summary>
/// The token service's keys, kept beside the hub's other secrets in <c>keys/</c> under the data
/// folder and created on first run: an ECDSA P-256 key that signs access tokens (ES256) and an
/// AES key that encrypts authorization codes. Instances sharing the data folder's keys accept each
/// other's tokens and codes.
/// </summary>
internal sealed class TokenKeys : IDisposable
{
    private readonly ECDsa _signing;

    public TokenKeys(IOptions<HubOptions> options)
    {
        var directory = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "keys");
        Directory.CreateDirectory(directory);
        _signing = HubKeys.LoadOrCreateEcdsaKey(Path.Combine(directory, "token-signing.key"));
        var signingKey = new ECDsaSecurityKey(_signing);
        // The key ID is the key's thumbprint: the same on every instance that shares the key.
        signingKey.KeyId = Base64UrlEncoder.Encode(signingKey.ComputeJwkThumbprint());
        SigningKey = signingKey;
        EncryptionKey = new SymmetricSecurityKey(HubKeys.LoadOrCreateRandomKey(Path.Combine(directory, "token-encryption.key")));
    }

    /// <summary>Signs access tokens and authorization codes.</summary>
    public SecurityKey SigningKey { get; }

    /// <summary>Encrypts authorization codes (access tokens stay plain signed JWTs).</summary>
    public SymmetricSecurityKey EncryptionKey { get; }

    public void Dispose() => _signing.Dispose();
}
