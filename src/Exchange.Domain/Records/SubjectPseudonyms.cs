using System.Security.Cryptography;
using System.Text;

namespace Exchange.Domain.Records;

/// <summary>
/// Stable pseudonymous IDs for persons: HMAC-SHA-256 under the hub's secret of the owning garage
/// and its customer number. The provision log names persons only this way, so a copy of the log
/// identifies nobody without the key.
/// </summary>
public sealed class SubjectPseudonyms
{
    private readonly byte[] _key;

    /// <summary>Creates the pseudonymiser; the key must be at least 32 bytes.</summary>
    public SubjectPseudonyms(byte[] key)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("The subject key must be at least 32 bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>The subject ID of a garage's customer.</summary>
    public string SubjectOf(string ownerParty, string customerRef) =>
        "sub_" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{ownerParty}\n{customerRef}")).AsSpan(0, 16));
}
