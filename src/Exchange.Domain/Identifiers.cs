using System.Globalization;
using System.Text;

namespace Exchange.Domain;

/// <summary>
/// What a valid identifier is, for every identifier a caller names: a party ID, a purpose, an item, a
/// garage's own reference to a customer or vehicle. What is accepted here is stored and hashed
/// exactly as received, so anything that a database, a text encoding or a normalisation could
/// change on the way (byte-order marks, format and control characters, unnormalised text) is refused
/// rather than stored.
/// </summary>
public static class Identifiers
{
    /// <summary>The longest party ID (as in the SPIFFE ID of the party's certificate).</summary>
    public const int MaxPartyId = 64;

    /// <summary>The longest purpose ID.</summary>
    public const int MaxPurpose = 32;

    /// <summary>The longest item ID or group name.</summary>
    public const int MaxItem = 64;

    /// <summary>The most items one request may name.</summary>
    public const int MaxItems = 64;

    /// <summary>The longest reference (customer_ref, vehicle_ref), in UTF-16 code units.</summary>
    public const int MaxReference = 64;

    /// <summary>The most characters of a caller's text a message quotes back.</summary>
    private const int MaxQuoted = 64;

    /// <summary>Whether <paramref name="value"/> is a party ID: 1 to 64 of a-z, 0-9, '.', '-', '_'.</summary>
    public static bool IsPartyId(string? value) =>
        value is { Length: > 0 and <= MaxPartyId } && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    /// <summary>Whether <paramref name="value"/> is a purpose ID: a lowercase letter, then up to 31 of a-z, 0-9 and '-'.</summary>
    public static bool IsPurpose(string? value) =>
        value is { Length: > 0 and <= MaxPurpose } && value[0] is >= 'a' and <= 'z' && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>
    /// Whether <paramref name="value"/> is an item ID or group name: dot-separated words, each a
    /// lowercase letter then a-z, 0-9 or '_', 64 characters at most (<c>contact</c>, <c>contact.phone</c>).
    /// </summary>
    public static bool IsItem(string? value)
    {
        if (value is not { Length: > 0 and <= MaxItem })
        {
            return false;
        }

        foreach (var word in value.Split('.'))
        {
            if (word.Length == 0 || word[0] is not (>= 'a' and <= 'z') || !word.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Why <paramref name="value"/> is not a valid reference, or null when it is: 1 to 64 characters
    /// in Unicode normalisation form C, with no control, format, private-use or unassigned
    /// characters, no line or paragraph separators, and no white space at either end.
    /// </summary>
    public static string? ReferenceProblem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > MaxReference)
        {
            return $"is longer than {MaxReference} characters";
        }

        if (TextProblem(value) is { } problem)
        {
            return problem;
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return "begins or ends with white space";
        }

        return value.IsNormalized(NormalizationForm.FormC) ? null : "is not in Unicode normalisation form C (NFC)";
    }

    /// <summary>
    /// Why <paramref name="text"/> holds a character no text at the hub may hold, or null: control
    /// characters other than tab and line breaks, format characters (a byte-order mark, zero-width
    /// and bidirectional marks), surrogates, private-use and unassigned code points, noncharacters.
    /// </summary>
    public static string? TextProblem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return "holds an unpaired surrogate";
            }
        }

        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var refused = category switch
            {
                UnicodeCategory.Control => rune.Value is not ('\t' or '\n' or '\r'),
                UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => true,
                UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                _ => false,
            };
            if (refused || IsNoncharacter(rune.Value))
            {
                return $"holds the character U+{rune.Value:X4} ({Describe(category, rune.Value)}), which is not accepted";
            }
        }

        return null;
    }

    /// <summary>
    /// Why free text given for a field is refused, or null: missing where <paramref name="required"/>,
    /// longer than <paramref name="max"/>, or holding a character no text at the hub may hold.
    /// </summary>
    public static string? FreeTextProblem(string text, int max, bool required) =>
        required && string.IsNullOrWhiteSpace(text) ? "is required"
        : text.Length > max ? $"is longer than {max} characters"
        : TextProblem(text);

    /// <summary>Refuses <paramref name="value"/> unless it is a valid reference.</summary>
    /// <exception cref="ExchangeException">With <see cref="FailureKind.InvalidArgument"/>, naming <paramref name="field"/>.</exception>
    public static void RequireReference(string? value, string field)
    {
        if (ReferenceProblem(value) is { } problem)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"{field} {problem} (rule {Policy.PolicyRules.RequestMalformed})", Policy.PolicyRules.RequestMalformed);
        }
    }

    /// <summary>Refuses <paramref name="value"/> unless it is a party ID.</summary>
    /// <exception cref="ExchangeException">With <see cref="FailureKind.InvalidArgument"/>, naming <paramref name="field"/>.</exception>
    public static void RequirePartyId(string? value, string field)
    {
        if (!IsPartyId(value))
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"{field} {Quote(value)} is not a party ID (1-{MaxPartyId} of a-z, 0-9, '.', '-', '_'; rule {Policy.PolicyRules.RequestMalformed})", Policy.PolicyRules.RequestMalformed);
        }
    }

    /// <summary>
    /// Why a purpose and items as a request names them are malformed, or null: an empty purpose is
    /// well-formed (the policy refuses it by its own rule); an unknown but well-formed one is too.
    /// </summary>
    public static string? RequestProblem(string purpose, IReadOnlyCollection<string> items)
    {
        if (purpose.Length > 0 && !IsPurpose(purpose))
        {
            return $"purpose {Quote(purpose)} is not a purpose ID (a-z, then up to {MaxPurpose - 1} of a-z, 0-9, '-')";
        }

        if (items.Count > MaxItems)
        {
            return $"a request names at most {MaxItems} items, not {items.Count}";
        }

        foreach (var item in items)
        {
            if (!IsItem(item))
            {
                return $"item {Quote(item)} is not an item ID (dot-separated words of a-z, 0-9, '_'; at most {MaxItem} characters)";
            }
        }

        return null;
    }

    /// <summary>
    /// A caller's text as a message may quote it: at most 64 characters, each character outside
    /// printable ASCII and common scripts written as \uXXXX, in quotes.
    /// </summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "''";
        }

        var builder = new StringBuilder("'");
        foreach (var c in value.Length > MaxQuoted ? value[..MaxQuoted] : value)
        {
            var printable = !char.IsControl(c) && !char.IsSurrogate(c) && char.GetUnicodeCategory(c) is not (UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
            if (printable && c != '\\' && c != '\'')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        builder.Append('\'');
        return value.Length > MaxQuoted ? builder.Append(CultureInfo.InvariantCulture, $"… ({value.Length} characters)").ToString() : builder.ToString();
    }

    private static bool IsNoncharacter(int value) => value is >= 0xFDD0 and <= 0xFDEF || (value & 0xFFFE) == 0xFFFE;

    private static string Describe(UnicodeCategory category, int value) => value switch
    {
        0xFEFF => "a byte-order mark",
        _ when IsNoncharacter(value) => "a noncharacter",
        _ => category switch
        {
            UnicodeCategory.Control => "a control character",
            UnicodeCategory.Format => "a format character",
            UnicodeCategory.PrivateUse => "a private-use character",
            UnicodeCategory.OtherNotAssigned => "an unassigned code point",
            _ => "a separator",
        },
    };
}
