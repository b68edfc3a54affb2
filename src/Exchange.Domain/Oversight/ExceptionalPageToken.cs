using System.Buffers.Binary;
using System.Text;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Oversight;

/// <summary>
/// The token that reads the next page of exceptional provisions: the last one's recording time
/// and ID, signed with the hub's log key like the other page tokens.
/// </summary>
internal static class ExceptionalPageToken
{
    private const int IdBytes = 28;
    private const int BodyBytes = sizeof(long) + IdBytes;

    private static readonly SignedToken Token = new(
        "page_token",
        "exchange/oversight/exceptional-page/v1",
        version: 1,
        bodyBytes: BodyBytes,
        lifetime: TimeSpan.FromDays(1),
        "list again without one");

    public static string Issue(ExceptionalPosition last, DateTimeOffset now, ILogSigner signer)
    {
        var body = new byte[BodyBytes];
        BinaryPrimitives.WriteInt64BigEndian(body, last.RecordedAt.UtcTicks);
        Encoding.ASCII.GetBytes(last.Id, body.AsSpan(sizeof(long)));
        return Token.Issue(body, now, signer);
    }

    public static ExceptionalPosition? Open(string token, DateTimeOffset now, ILogSigner signer)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var body = Token.Open(token, now, signer);
        return new ExceptionalPosition(new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(body), TimeSpan.Zero), Encoding.ASCII.GetString(body, sizeof(long), IdBytes));
    }
}
