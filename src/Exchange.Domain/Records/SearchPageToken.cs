using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Records;

/// <summary>
/// The token that reads a search's next page: where the search stands, and a hash of the search it
/// belongs to (caller, purpose, items and filter), signed with the hub's log key. A token does not
/// carry a search to another caller or another filter, and a caller cannot make one start
/// elsewhere. It is opaque to callers: the layout below may change with its version byte.
/// </summary>
internal static class SearchPageToken
{
    private const int BindingBytes = SHA256.HashSizeInBytes;
    private const int ReferenceBytes = Identifiers.MaxReference * sizeof(char);
    private const int BodyBytes = BindingBytes + 8 + 1 + ReferenceBytes;

    private static readonly SignedToken Token = new(
        "page_token",
        "exchange/records/search-page/v1",
        version: 1,
        bodyBytes: BodyBytes,
        lifetime: TimeSpan.FromDays(1),
        "repeat the search without one");

    /// <summary>What a token is bound to: the same search, asked in any order, gives the same bytes.</summary>
    public static byte[] Bind(string caller, string purpose, IEnumerable<string> items, string? owner, IEnumerable<string> modelCodes, string? prefecture)
    {
        static string[] Set(IEnumerable<string> values) => values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        string[][] search = [[caller], [purpose], Set(items), owner is null ? [] : [owner], Set(modelCodes), prefecture is null ? [] : [prefecture]];
        return SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(search));
    }

    /// <summary>A token for the page after <paramref name="after"/> of the search <paramref name="binding"/> names.</summary>
    public static string Issue(byte[] binding, SearchPosition after, DateTimeOffset now, ILogSigner signer)
    {
        Span<byte> body = stackalloc byte[BodyBytes];
        body.Clear();
        binding.CopyTo(body);
        BinaryPrimitives.WriteInt64BigEndian(body[BindingBytes..], after.Position);
        body[BindingBytes + 8] = (byte)after.CustomerRef.Length;
        Encoding.Unicode.GetBytes(after.CustomerRef, body[(BindingBytes + 9)..]);
        return Token.Issue(body, now, signer);
    }

    /// <summary>Where the token's page starts; refuses a token the hub did not issue, an expired one, and one of another search.</summary>
    public static SearchPosition Open(string token, byte[] binding, DateTimeOffset now, ILogSigner signer)
    {
        var body = Token.Open(token, now, signer);
        if (!body.AsSpan(0, BindingBytes).SequenceEqual(binding))
        {
            throw Token.Misplaced("belongs to another search: a token goes on only with the caller, purpose, items and filter it was issued for");
        }

        var position = BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(BindingBytes));
        var length = Math.Min((int)body[BindingBytes + 8], Identifiers.MaxReference);
        return new SearchPosition(position, Encoding.Unicode.GetString(body, BindingBytes + 9, length * sizeof(char)));
    }
}
