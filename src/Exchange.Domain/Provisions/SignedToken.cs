using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace Exchange.Domain.Provisions;

/// <summary>
/// A position the hub hands a caller to go on from in a later call, signed with the hub's log key so
/// that a caller can neither forge nor alter it, and valid on every instance that holds that key.
/// The layout is a version byte, a body of fixed length, the time of issue and the signature; the
/// context string keeps one kind of token from passing for another.
/// </summary>
/// <param name="field">The request field that carries it, as a refusal names it.</param>
/// <param name="context">What the signature covers besides the token, one string per kind of token.</param>
/// <param name="version">The layout's version.</param>
/// <param name="bodyBytes">The length of every body.</param>
/// <param name="lifetime">How long a token is accepted after its issue.</param>
/// <param name="restart">What a caller whose token is refused should do.</param>
internal sealed class SignedToken(string field, string context, byte version, int bodyBytes, TimeSpan lifetime, string restart)
{
    private const int MaxSignatureBytes = 512;
    private readonly byte[] _context = Encoding.ASCII.GetBytes(context + "\n");

    /// <summary>How long a token is accepted after its issue.</summary>
    public TimeSpan Lifetime => lifetime;

    /// <summary>A token carrying <paramref name="body"/>, issued at <paramref name="now"/>.</summary>
    public string Issue(ReadOnlySpan<byte> body, DateTimeOffset now, ILogSigner signer)
    {
        if (body.Length != bodyBytes)
        {
            throw new ArgumentException($"a body of {bodyBytes} bytes, not {body.Length}", nameof(body));
        }

        var signed = new byte[1 + bodyBytes + 8];
        signed[0] = version;
        body.CopyTo(signed.AsSpan(1));
        BinaryPrimitives.WriteInt64BigEndian(signed.AsSpan(1 + bodyBytes), now.UtcTicks);
        return Base64Url.EncodeToString([.. signed, .. signer.Sign(Signed(signed))]);
    }

    /// <summary>The body a token carries; refuses one the hub did not issue or that has expired.</summary>
    /// <exception cref="ExchangeException">With <see cref="FailureKind.InvalidArgument"/>, naming the field.</exception>
    public byte[] Open(string token, DateTimeOffset now, ILogSigner signer)
    {
        var signedBytes = 1 + bodyBytes + 8;
        var bytes = token.Length <= Base64Url.GetEncodedLength(signedBytes + MaxSignatureBytes) && Base64Url.IsValid(token) ? Base64Url.DecodeFromChars(token) : [];
        if (bytes.Length <= signedBytes || bytes[0] != version || !signer.Verify(Signed(bytes[..signedBytes]), bytes[signedBytes..]))
        {
            throw Refused($"{field} is not a token this hub issued; {restart}");
        }

        var issuedAt = new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1 + bodyBytes)), TimeSpan.Zero);
        return issuedAt + lifetime < now
            ? throw Refused($"{field} expired at {issuedAt + lifetime:O}; {restart}")
            : bytes[1..(1 + bodyBytes)];
    }

    /// <summary>A refusal of a token that is genuine but does not fit the request it came with.</summary>
    public ExchangeException Misplaced(string why) => Refused($"{field} {why}; {restart}");

    private byte[] Signed(byte[] token) => [.. _context, .. token];

    private static ExchangeException Refused(string message) => new(FailureKind.InvalidArgument, message);
}
