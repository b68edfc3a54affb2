using System.Globalization;
using System.Text;

namespace Exchange.Domain.Recalls;

/// <summary>
/// Chassis numbers (車台番号) and model codes (型式) in the one form recall matching compares:
/// full-width letters and digits as half-width (NFKC), letters as capitals, every dash a garage
/// system or an IME may type (‐ – — ― − ー ｰ －…) as a hyphen, and no spaces.
/// </summary>
public static class VehicleIdentifiers
{
    // The longest frame part kept; a longer one is not a chassis number the hub can match.
    private const int MaxFrameLength = 32;

    // A serial has at most this many digits, so that it fits a 64-bit integer with room.
    private const int MaxSerialDigits = 12;

    /// <summary><paramref name="value"/> normalised; empty when nothing is left.</summary>
    public static string Normalise(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var folded = value.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            builder.Append(IsDash(c) ? '-' : char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>
    /// Splits a chassis number into its frame part and serial: <c>ZVW30-1234567</c> is frame
    /// <c>ZVW30</c>, serial 1234567 (the part after the last hyphen). Without a hyphen, a
    /// 17-character VIN is its first 11 characters and its last six digits; anything else, the
    /// trailing run of digits and what precedes it. False when there is no frame or no serial.
    /// </summary>
    public static bool TryParseChassisNumber(string? chassisNumber, out string frame, out long serial)
    {
        frame = "";
        serial = 0;
        var normalised = Normalise(chassisNumber);
        string frameText, serialText;
        var hyphen = normalised.LastIndexOf('-');
        if (hyphen >= 0)
        {
            (frameText, serialText) = (normalised[..hyphen], normalised[(hyphen + 1)..]);
        }
        else if (normalised.Length == 17 && normalised.AsSpan(11).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            (frameText, serialText) = (normalised[..11], normalised[11..]);
        }
        else
        {
            var digits = normalised.Length;
            while (digits > 0 && char.IsAsciiDigit(normalised[digits - 1]))
            {
                digits--;
            }

            (frameText, serialText) = (normalised[..digits], normalised[digits..]);
        }

        frameText = NormaliseFrame(frameText);
        if (frameText.Length == 0 || serialText.Length == 0 || serialText.Length > MaxSerialDigits
            || serialText.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0)
        {
            return false;
        }

        frame = frameText;
        serial = long.Parse(serialText, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>
    /// A campaign's frame prefix as chassis numbers are split: normalised, without the hyphen that
    /// separates it from the serial. Empty when it is not a frame part the hub can match.
    /// </summary>
    public static string NormaliseFrame(string? framePrefix)
    {
        var frame = Normalise(framePrefix).TrimEnd('-');
        return frame.Length is > 0 and <= MaxFrameLength && frame.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? frame : "";
    }

    /// <summary>
    /// The model code's base (型式 without the emissions designation before the first hyphen):
    /// <c>DAA-ZVW30</c> is <c>ZVW30</c>; a code without a hyphen is its own base.
    /// </summary>
    public static string ModelBase(string? modelCode)
    {
        var normalised = Normalise(modelCode);
        var hyphen = normalised.IndexOf('-');
        return hyphen >= 0 ? normalised[(hyphen + 1)..] : normalised;
    }

    private static bool IsDash(char c) => c is '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' or '\u30FC' or '\uFF0D' or '\uFF70' or '\uFE63' or '\u2043';
}
