using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Exchange.Domain.Provisions;

/// <summary>
/// An Ed25519 key of the C2SP <c>signed-note</c> format, named (by convention, the log's origin).
/// Its key ID is the first four bytes of <c>SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)</c>; its
/// verifier key is <c>name+hex(key ID)+base64(0x01 ‖ public key)</c>, the form Go's
/// <c>sumdb/note</c> reads, and the signer key file holds <c>PRIVATE+KEY+name+hex(key ID)+base64(0x01 ‖ seed)</c>.
/// A witness's key is the same with the algorithm byte 0x04 of C2SP <c>tlog-cosignature</c>
/// (<see cref="CreateWitness"/>, <see cref="Cosign"/>), in place of 0x01.
/// </summary>
public sealed class NoteKey : IDisposable
{
    private const byte Ed25519 = 1;
    private const byte CosignatureV1 = 4;
    private const string SignerPrefix = "PRIVATE+KEY+";
    private const string CosignatureHeader = "cosignature/v1\ntime ";
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;
    private readonly byte _algorithm;

    private NoteKey(string name, Key key, byte algorithm)
    {
        Name = name;
        _key = key;
        _algorithm = algorithm;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = KeyIdOf(name, algorithm, PublicKey);
    }

    /// <summary>The key's name, the origin line of the checkpoints it signs.</summary>
    public string Name { get; }

    /// <summary>The raw 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The four-byte key ID that starts each of its signatures.</summary>
    public byte[] KeyId { get; }

    /// <summary>The verifier key partners configure: <c>name+hash+key</c>.</summary>
    public string VerifierKey => VerifierKeyOf(Name, _algorithm, PublicKey);

    /// <summary>True for a witness's key (<c>cosignature/v1</c>), false for a log's note key.</summary>
    public bool IsWitness => _algorithm == CosignatureV1;

    /// <summary>A new random key named <paramref name="name"/>.</summary>
    public static NoteKey Create(string name) => Create(name, Ed25519);

    /// <summary>A new random witness key (C2SP <c>cosignature/v1</c>) named <paramref name="name"/>.</summary>
    public static NoteKey CreateWitness(string name) => Create(name, CosignatureV1);

    /// <summary>Reads a signer key (<see cref="SignerKey"/>); throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static NoteKey Parse(string signerKey)
    {
        var text = signerKey.Trim();
        var parts = text.StartsWith(SignerPrefix, StringComparison.Ordinal) ? text[SignerPrefix.Length..].Split('+', 3) : [];
        if (parts.Length != 3)
        {
            throw new FormatException("a note signer key is PRIVATE+KEY+<name>+<key ID>+<base64 key>");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            throw new FormatException("the signer key's last part is not base64");
        }

        if (blob.Length != 33 || blob[0] is not (Ed25519 or CosignatureV1))
        {
            throw new FormatException("the signer key is not an Ed25519 key (0x01 or 0x04 and a 32-byte seed)");
        }

        RequireName(parts[0]);
        var key = Key.Import(Algorithm, blob.AsSpan(1), KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var parsed = new NoteKey(parts[0], key, blob[0]);
        if (!string.Equals(parts[1], Convert.ToHexStringLower(parsed.KeyId), StringComparison.Ordinal))
        {
            parsed.Dispose();
            throw new FormatException("the signer key's key ID does not match its name and key");
        }

        return parsed;
    }

    /// <summary>The signer key's text, for its file.</summary>
    public string SignerKey() =>
        $"{SignerPrefix}{Name}+{Convert.ToHexStringLower(KeyId)}+{Convert.ToBase64String([_algorithm, .. _key.Export(KeyBlobFormat.RawPrivateKey)])}";

    /// <summary>Signs <paramref name="body"/> (text ending in a newline) and returns the signed note: the body, a blank line, the signature line.</summary>
    public string Sign(string body)
    {
        if (!body.EndsWith('\n') || IsWitness)
        {
            throw new ArgumentException("A note's text ends with a newline, and a witness key cosigns rather than signs.", nameof(body));
        }

        var signature = Algorithm.Sign(_key, Encoding.UTF8.GetBytes(body));
        return $"{body}\n\u2014 {Name} {Convert.ToBase64String([.. KeyId, .. signature])}\n";
    }

    /// <summary>
    /// The C2SP <c>tlog-cosignature</c> line of this witness key over the checkpoint
    /// <paramref name="body"/> at <paramref name="time"/> (whole seconds): <c>— name base64(key ID ‖
    /// time as 8 bytes big-endian ‖ Ed25519 signature of "cosignature/v1\ntime T\n" ‖ body)</c>.
    /// </summary>
    public string Cosign(string body, DateTimeOffset time)
    {
        if (!IsWitness || !body.EndsWith('\n'))
        {
            throw new ArgumentException("Only a witness key cosigns, and a checkpoint's body ends with a newline.", nameof(body));
        }

        var seconds = (ulong)time.ToUnixTimeSeconds();
        var stamp = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(stamp, seconds);
        var signature = Algorithm.Sign(_key, CosignedMessage(body, seconds));
        return $"\u2014 {Name} {Convert.ToBase64String([.. KeyId, .. stamp, .. signature])}";
    }

    /// <summary>
    /// The time a cosignature <paramref name="line"/> (as <see cref="Cosign"/> makes it) was made, when
    /// it is a valid cosignature of <paramref name="body"/> by the witness key
    /// <paramref name="verifierKey"/> names; otherwise null and <paramref name="problem"/> says why.
    /// </summary>
    public static DateTimeOffset? CheckCosignature(string verifierKey, string body, string line, out string problem)
    {
        if (ReadVerifierKey(verifierKey, CosignatureV1) is not var (name, keyId, publicKey))
        {
            problem = "the witness's verifier key is not a cosignature/v1 key (<name>+<key ID hex>+<base64 0x04 and 32-byte key>)";
            return null;
        }

        var prefix = $"\u2014 {name} ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal) || !TryBase64(line[prefix.Length..], out var blob) || blob.Length != 76)
        {
            problem = $"a cosignature is a line \"\u2014 {name} <base64 of 76 bytes: key ID, time, signature>\"";
            return null;
        }

        if (!blob.AsSpan(0, 4).SequenceEqual(keyId))
        {
            problem = $"the cosignature's key ID {Convert.ToHexStringLower(blob.AsSpan(0, 4))} is not that of the witness's key ({Convert.ToHexStringLower(keyId)})";
            return null;
        }

        var seconds = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(4, 8));
        if (seconds > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || !Algorithm.Verify(NSec.Cryptography.PublicKey.Import(Algorithm, publicKey, KeyBlobFormat.RawPublicKey), CosignedMessage(body, seconds), blob.AsSpan(12)))
        {
            problem = "the cosignature does not verify over this checkpoint with the witness's key";
            return null;
        }

        problem = "";
        return DateTimeOffset.FromUnixTimeSeconds((long)seconds);
    }

    /// <summary>
    /// The body of <paramref name="note"/> when one of its signature lines is a valid signature by
    /// the key <paramref name="verifierKey"/> names; null otherwise (a malformed note or key too).
    /// </summary>
    public static string? Open(string note, string verifierKey)
    {
        if (ReadVerifierKey(verifierKey, Ed25519) is not var (name, expectedId, publicKeyBytes))
        {
            return null;
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            return null;
        }

        var body = note[..(split + 1)];
        var publicKey = NSec.Cryptography.PublicKey.Import(Algorithm, publicKeyBytes, KeyBlobFormat.RawPublicKey);
        foreach (var line in note[(split + 2)..^1].Split('\n'))
        {
            var prefix = $"\u2014 {name} ";
            if (line.StartsWith(prefix, StringComparison.Ordinal) && TryBase64(line[prefix.Length..], out var signature)
                && signature.Length == 68 && signature.AsSpan(0, 4).SequenceEqual(expectedId)
                && Algorithm.Verify(publicKey, Encoding.UTF8.GetBytes(body), signature.AsSpan(4)))
            {
                return body;
            }
        }

        return null;
    }

    /// <summary>The verifier key of <paramref name="name"/> and <paramref name="publicKey"/>.</summary>
    public static string VerifierKeyOf(string name, byte[] publicKey) => VerifierKeyOf(name, Ed25519, publicKey);

    /// <summary>True when <paramref name="verifierKey"/> is a well-formed witness (cosignature/v1) verifier key.</summary>
    public static bool IsWitnessVerifierKey(string verifierKey) => ReadVerifierKey(verifierKey, CosignatureV1) is not null;

    /// <summary>The name in a verifier key (its text before the first '+').</summary>
    public static string NameOf(string verifierKey) => verifierKey.Split('+', 2)[0];

    /// <summary>Releases the private key.</summary>
    public void Dispose() => _key.Dispose();

    private static NoteKey Create(string name, byte algorithm)
    {
        RequireName(name);
        return new NoteKey(name, Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }), algorithm);
    }

    private static string VerifierKeyOf(string name, byte algorithm, byte[] publicKey) =>
        $"{name}+{Convert.ToHexStringLower(KeyIdOf(name, algorithm, publicKey))}+{Convert.ToBase64String([algorithm, .. publicKey])}";

    private static (string Name, byte[] KeyId, byte[] PublicKey)? ReadVerifierKey(string verifierKey, byte algorithm)
    {
        var key = verifierKey.Trim().Split('+', 3);
        if (key.Length != 3 || key[0].Length == 0 || !TryBase64(key[2], out var blob) || blob.Length != 33 || blob[0] != algorithm)
        {
            return null;
        }

        var keyId = KeyIdOf(key[0], algorithm, blob[1..]);
        return string.Equals(key[1], Convert.ToHexStringLower(keyId), StringComparison.Ordinal) ? (key[0], keyId, blob[1..]) : null;
    }

    private static byte[] CosignedMessage(string body, ulong seconds) =>
        Encoding.UTF8.GetBytes(CosignatureHeader + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + body);

    private static byte[] KeyIdOf(string name, byte algorithm, byte[] publicKey) =>
        SHA256.HashData([.. Encoding.UTF8.GetBytes(name), (byte)'\n', algorithm, .. publicKey])[..4];

    private static void RequireName(string name)
    {
        // The note format forbids these in a key name.
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == '+' || char.IsControl(c)))
        {
            throw new FormatException("a note key's name is non-empty and has no spaces, '+' or control characters");
        }
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
