using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace Exchange.Domain.Provisions;

/// <summary>
/// The token a full walk's progress carries: where the walk stands, signed with the hub's log key
/// so that a caller cannot make a walk skip entries it never checked. It is opaque to callers:
/// the layout below may change with its version byte.
/// </summary>
internal static class VerifyResumeToken
{
    /// <summary>How long a token resumes a walk: the entries it vouches for were read when it was issued.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private const byte Version = 1;
    private const int HashBytes = 32;
    private const int BodyBytes = 1 + 8 + HashBytes + 8 + 8 + 8 + HashBytes + 8 + 8;
    private const int MaxSignatureBytes = 512;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("exchange/provision-log/verify-resume/v1\n");

    /// <summary>A token to go on after <paramref name="position"/>, of a walk that began at <paramref name="startedAt"/>.</summary>
    public static string Issue(ChainPosition position, DateTimeOffset startedAt, DateTimeOffset now, ILogSigner signer)
    {
        var body = new byte[BodyBytes];
        var span = body.AsSpan();
        span[0] = Version;
        span = span[1..];
        Put(ref span, position.Sequence);
        PutHash(ref span, position.EntryHash);
        Put(ref span, position.EntriesChecked);
        Put(ref span, position.CheckpointsChecked);
        Put(ref span, position.VouchedThrough);
        PutHash(ref span, position.VouchedHash);
        Put(ref span, startedAt.UtcTicks);
        Put(ref span, now.UtcTicks);
        return Base64Url.EncodeToString([.. body, .. signer.Sign(Signed(body))]);
    }

    /// <summary>The walk's position and start a token carries; refuses one the hub did not issue or that has expired.</summary>
    public static (ChainPosition Position, DateTimeOffset StartedAt) Open(string token, DateTimeOffset now, ILogSigner signer)
    {
        var bytes = token.Length <= Base64Url.GetEncodedLength(BodyBytes + MaxSignatureBytes) && Base64Url.IsValid(token) ? Base64Url.DecodeFromChars(token) : [];
        if (bytes.Length <= BodyBytes || bytes[0] != Version || !signer.Verify(Signed(bytes[..BodyBytes]), bytes[BodyBytes..]))
        {
            throw Refused("resume_token is not a token this hub issued; start the walk again without one");
        }

        ReadOnlySpan<byte> span = bytes.AsSpan(1, BodyBytes - 1);
        var position = new ChainPosition(Take(ref span), TakeHash(ref span), Take(ref span), Take(ref span), Take(ref span), TakeHash(ref span));
        var startedAt = new DateTimeOffset(Take(ref span), TimeSpan.Zero);
        var issuedAt = new DateTimeOffset(Take(ref span), TimeSpan.Zero);
        return issuedAt + Lifetime < now
            ? throw Refused($"resume_token expired at {issuedAt + Lifetime:O}; start the walk again without one")
            : (position, startedAt);
    }

    private static byte[] Signed(byte[] body) => [.. Context, .. body];

    private static ExchangeException Refused(string message) => new(FailureKind.InvalidArgument, message);

    private static void Put(ref Span<byte> span, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(span, value);
        span = span[8..];
    }

    private static void PutHash(ref Span<byte> span, string hash)
    {
        Convert.FromHexString(hash).CopyTo(span);
        span = span[HashBytes..];
    }

    private static long Take(ref ReadOnlySpan<byte> span)
    {
        var value = BinaryPrimitives.ReadInt64BigEndian(span);
        span = span[8..];
        return value;
    }

    private static string TakeHash(ref ReadOnlySpan<byte> span)
    {
        var hash = Convert.ToHexStringLower(span[..HashBytes]);
        span = span[HashBytes..];
        return hash;
    }
}
