using Exchange.Contracts.V1;

namespace Exchange.Domain.Items;

/// <summary>
/// What a vehicle image (<c>vehicle.images</c>) may be: a JPEG, PNG or WebP picture of at most
/// <see cref="MaxBytes"/>, recognised by its leading bytes and labelled as what it is. Anything else
/// (a PDF of a medical certificate, a document, an archive) is refused: an image field must not
/// become a place for other data.
/// </summary>
public static class VehicleImages
{
    /// <summary>The largest image accepted, in bytes.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Why <paramref name="image"/> is not accepted, or null.</summary>
    public static string? Problem(VehicleImage image)
    {
        var data = image.Data.Span;
        if (data.IsEmpty)
        {
            return "holds no data";
        }

        if (data.Length > MaxBytes)
        {
            return $"is larger than {MaxBytes / 1024} KiB";
        }

        var sniffed = ContentTypeOf(data);
        if (sniffed is null)
        {
            return "is not a JPEG, PNG or WebP picture (judged by its leading bytes)";
        }

        return image.ContentType == sniffed ? null : $"is a {sniffed} picture labelled {Identifiers.Quote(image.ContentType)}";
    }

    private static string? ContentTypeOf(ReadOnlySpan<byte> data) =>
        data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
        : null;
}
