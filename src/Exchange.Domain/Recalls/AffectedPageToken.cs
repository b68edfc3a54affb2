using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Recalls;

/// <summary>
/// The token that reads the next page of a garage's affected vehicles: the last (customer_ref,
/// vehicle_ref) sent and a hash of the listing it belongs to (caller, campaign, garage, step), signed
/// with the hub's log key like a search's page token.
/// </summary>
internal static class AffectedPageToken
{
    private const int BindingBytes = SHA256.HashSizeInBytes;
    private const int ReferenceBytes = 1 + (Identifiers.MaxReference * sizeof(char));
    private const int BodyBytes = BindingBytes + (2 * ReferenceBytes);

    private static readonly SignedToken Token = new(
        "page_token",
        "exchange/recalls/affected-page/v1",
        version: 1,
        bodyBytes: BodyBytes,
        lifetime: TimeSpan.FromDays(1),
        "list again without one");

    public static byte[] Bind(string caller, string recallNumber, string owner, int step) =>
        SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new[] { caller, recallNumber, owner, step.ToString(System.Globalization.CultureInfo.InvariantCulture) }));

    public static string Issue(byte[] binding, string customerRef, string vehicleRef, DateTimeOffset now, ILogSigner signer)
    {
        var body = new byte[BodyBytes];
        binding.CopyTo(body, 0);
        Write(body.AsSpan(BindingBytes, ReferenceBytes), customerRef);
        Write(body.AsSpan(BindingBytes + ReferenceBytes, ReferenceBytes), vehicleRef);
        return Token.Issue(body, now, signer);
    }

    public static (string CustomerRef, string VehicleRef) Open(string token, byte[] binding, DateTimeOffset now, ILogSigner signer)
    {
        var body = Token.Open(token, now, signer);
        if (!body.AsSpan(0, BindingBytes).SequenceEqual(binding))
        {
            throw Token.Misplaced("belongs to another listing: a token goes on only with the caller, campaign, garage and step it was issued for");
        }

        return (Read(body.AsSpan(BindingBytes, ReferenceBytes)), Read(body.AsSpan(BindingBytes + ReferenceBytes, ReferenceBytes)));
    }

    private static void Write(Span<byte> target, string value)
    {
        target[0] = (byte)value.Length;
        Encoding.Unicode.GetBytes(value, target[1..]);
    }

    private static string Read(ReadOnlySpan<byte> source) =>
        Encoding.Unicode.GetString(source.Slice(1, Math.Min((int)source[0], Identifiers.MaxReference) * sizeof(char)));
}
