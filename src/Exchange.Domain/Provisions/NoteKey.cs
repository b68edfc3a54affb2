using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Exchange.Domain.Provisions;

/// <summary>
/// An Ed25519 key of the C2SP <c>signed-note</c> format, named (by convention, the log's origin).
/// Its key ID is the first four bytes of <c>SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)</c>; its
/// verifier key is <c>name+hex(key ID)+base64(0x01 ‖ public key)</c>, the form Go's
/// <c>sumdb/note</c> reads, and the signer key file holds <c>PRIVATE+KEY+name+hex(key ID)+base64(0x01 ‖ seed)</c>.
/// </summary>
public sealed class NoteKey : IDisposable
{
    private const byte Ed25519 = 1;
    private const string SignerPrefix = "PRIVATE+KEY+";
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private NoteKey(string name, Key key)
    {
        Name = name;
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = KeyIdOf(name, PublicKey);
    }

    /// <summary>The key's name, the origin line of the checkpoints it signs.</summary>
    public string Name { get; }

    /// <summary>The raw 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The four-byte key ID that starts each of its signatures.</summary>
    public byte[] KeyId { get; }

    /// <summary>The verifier key partners configure: <c>name+hash+key</c>.</summary>
    public string VerifierKey => VerifierKeyOf(Name, PublicKey);

    /// <summary>A new random key named <paramref name="name"/>.</summary>
    public static NoteKey Create(string name)
    {
        RequireName(name);
        return new NoteKey(name, Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

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

        if (blob.Length != 33 || blob[0] != Ed25519)
        {
            throw new FormatException("the signer key is not an Ed25519 key (0x01 and a 32-byte seed)");
        }

        RequireName(parts[0]);
        var key = Key.Import(Algorithm, blob.AsSpan(1), KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var parsed = new NoteKey(parts[0], key);
        if (!string.Equals(parts[1], Convert.ToHexStringLower(parsed.KeyId), StringComparison.Ordinal))
        {
            parsed.Dispose();
            throw new FormatException("the signer key's key ID does not match its name and key");
        }

        return parsed;
    }

    /// <summary>The signer key's text, for its file.</summary>
    public string SignerKey() =>
        $"{SignerPrefix}{Name}+{Convert.ToHexStringLower(KeyId)}+{Convert.ToBase64String([Ed25519, .. _key.Export(KeyBlobFormat.RawPrivateKey)])}";

    /// <summary>Signs <paramref name="body"/> (text ending in a newline) and returns the signed note: the body, a blank line, the signature line.</summary>
    public string Sign(string body)
    {
        if (!body.EndsWith('\n'))
        {
            throw new ArgumentException("A note's text ends with a newline.", nameof(body));
        }

        var signature = Algorithm.Sign(_key, Encoding.UTF8.GetBytes(body));
        return $"{body}\n\u2014 {Name} {Convert.ToBase64String([.. KeyId, .. signature])}\n";
    }

    /// <summary>
    /// The body of <paramref name="note"/> when one of its signature lines is a valid signature by
    /// the key <paramref name="verifierKey"/> names; null otherwise (a malformed note or key too).
    /// </summary>
    public static string? Open(string note, string verifierKey)
    {
        var key = verifierKey.Split('+', 3);
        if (key.Length != 3 || !TryBase64(key[2], out var blob) || blob.Length != 33 || blob[0] != Ed25519
            || !string.Equals(key[1], Convert.ToHexStringLower(KeyIdOf(key[0], blob[1..])), StringComparison.Ordinal))
        {
            return null;
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            return null;
        }

        var body = note[..(split + 1)];
        var publicKey = NSec.Cryptography.PublicKey.Import(Algorithm, blob.AsSpan(1), KeyBlobFormat.RawPublicKey);
        var expectedId = KeyIdOf(key[0], blob[1..]);
        foreach (var line in note[(split + 2)..^1].Split('\n'))
        {
            var prefix = $"\u2014 {key[0]} ";
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
    public static string VerifierKeyOf(string name, byte[] publicKey) =>
        $"{name}+{Convert.ToHexStringLower(KeyIdOf(name, publicKey))}+{Convert.ToBase64String([Ed25519, .. publicKey])}";

    /// <summary>Releases the private key.</summary>
    public void Dispose() => _key.Dispose();

    private static byte[] KeyIdOf(string name, byte[] publicKey) =>
        SHA256.HashData([.. Encoding.UTF8.GetBytes(name), (byte)'\n', Ed25519, .. publicKey])[..4];

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
