using System.Buffers.Binary;

namespace Exchange.Domain.Provisions;

/// <summary>
/// The token a full walk's progress carries: where the walk stands, signed with the hub's log key
/// so that a caller cannot make a walk skip entries it never checked. It is opaque to callers:
/// the layout below may change with its version byte.
/// </summary>
internal static class VerifyResumeToken
{
    private const int HashBytes = 32;
    private const int BodyBytes = 8 + HashBytes + 8 + 8 + 8 + HashBytes + 8;

    private static readonly SignedToken Token = new(
        "resume_token",
        "exchange/provision-log/verify-resume/v1",
        version: 1,
        bodyBytes: BodyBytes,
        lifetime: TimeSpan.FromDays(1),
        "start the walk again without one");

    /// <summary>How long a token resumes a walk: the entries it vouches for were read when it was issued.</summary>
    public static TimeSpan Lifetime => Token.Lifetime;

    /// <summary>A token to go on after <paramref name="position"/>, of a walk that began at <paramref name="startedAt"/>.</summary>
    public static string Issue(ChainPosition position, DateTimeOffset startedAt, DateTimeOffset now, ILogSigner signer)
    {
        Span<byte> body = stackalloc byte[BodyBytes];
        var span = body;
        Put(ref span, position.Sequence);
        PutHash(ref span, position.EntryHash);
        Put(ref span, position.EntriesChecked);
        Put(ref span, position.CheckpointsChecked);
        Put(ref span, position.VouchedThrough);
        PutHash(ref span, position.VouchedHash);
        Put(ref span, startedAt.UtcTicks);
        return Token.Issue(body, now, signer);
    }

    /// <summary>The walk's position and start a token carries; refuses one the hub did not issue or that has expired.</summary>
    public static (ChainPosition Position, DateTimeOffset StartedAt) Open(string token, DateTimeOffset now, ILogSigner signer)
    {
        ReadOnlySpan<byte> span = Token.Open(token, now, signer);
        var position = new ChainPosition(Take(ref span), TakeHash(ref span), Take(ref span), Take(ref span), Take(ref span), TakeHash(ref span));
        return (position, new DateTimeOffset(Take(ref span), TimeSpan.Zero));
    }

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
