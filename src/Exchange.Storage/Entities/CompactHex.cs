using System.Text;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Exchange.Storage.Entities;

/// <summary>
/// Stores a hex identifier (a hash, <c>sub_…</c>, <c>call_…</c>) as its bytes: its canonical form,
/// the prefix and lower-case hex of <see cref="Length"/> bytes, as exactly those bytes; any other
/// text as a zero byte and its UTF-8, never <see cref="Length"/> bytes long. Lossless for every
/// string without a NUL, so what the provision log hashed is what it reads back, whoever wrote it.
/// </summary>
internal sealed class CompactHex
{
    /// <summary>SHA-256 hashes in lower-case hex.</summary>
    public static readonly CompactHex Hash = new("", 32);

    /// <summary>Persons' pseudonymous IDs (<c>SubjectPseudonyms</c>).</summary>
    public static readonly CompactHex Subject = new("sub_", 16);

    /// <summary>Call IDs (<c>CallContextFactory</c>).</summary>
    public static readonly CompactHex Call = new("call_", 16);

    private const byte TextMarker = 0;

    private readonly string _prefix;

    private CompactHex(string prefix, int length)
    {
        _prefix = prefix;
        Length = length;
        Converter = new ValueConverter<string, byte[]>(v => Encode(v), v => Decode(v));
    }

    /// <summary>The bytes of a canonical form.</summary>
    public int Length { get; }

    /// <summary>The EF value converter for a column of these identifiers.</summary>
    public ValueConverter Converter { get; }

    public byte[] Encode(string value)
    {
        if (IsCanonical(value))
        {
            return Convert.FromHexString(value.AsSpan(_prefix.Length));
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier with a NUL character cannot be stored.", nameof(value));
        }

        // A second marker byte keeps text from being exactly Length bytes, the length of a canonical form.
        var text = Encoding.UTF8.GetBytes(value);
        var markers = text.Length + 1 == Length ? 2 : 1;
        var encoded = new byte[markers + text.Length];
        text.CopyTo(encoded, markers);
        return encoded;
    }

    /// <summary>
    /// The identifier <paramref name="value"/> encodes. Bytes no encoding yields (written by someone
    /// else) read as text no identifier has, so that verification reports the entry altered.
    /// </summary>
    public string Decode(byte[] value)
    {
        if (value.Length == Length)
        {
            return _prefix + Convert.ToHexStringLower(value);
        }

        if (value.Length == 0 || value[0] != TextMarker)
        {
            return Unreadable(value);
        }

        var text = value.AsSpan(value.Length == Length + 1 && value[1] == TextMarker ? 2 : 1);
        return text.Contains(TextMarker) ? Unreadable(value) : Encoding.UTF8.GetString(text);
    }

    private static string Unreadable(byte[] value) => "\uFFFD" + Convert.ToHexStringLower(value);

    private bool IsCanonical(string value) =>
        value.Length == _prefix.Length + (2 * Length)
        && value.StartsWith(_prefix, StringComparison.Ordinal)
        && value.AsSpan(_prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;
}
