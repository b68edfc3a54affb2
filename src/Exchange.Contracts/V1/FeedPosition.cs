using System.Globalization;

namespace Exchange.Contracts.V1;

/// <summary>
/// The response header of <c>Feed/Subscribe</c> that names the position the subscription starts
/// after, sent before any event (the contract in <c>feed.proto</c>).
/// </summary>
public static class FeedPosition
{
    /// <summary>The header's name.</summary>
    public const string Header = "exchange-after-sequence";

    /// <summary>The header's value for <paramref name="afterSequence"/>.</summary>
    public static string Format(long afterSequence) => afterSequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads the header's value; false when it is not a sequence.</summary>
    public static bool TryParse(string? value, out long afterSequence) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out afterSequence);
}
