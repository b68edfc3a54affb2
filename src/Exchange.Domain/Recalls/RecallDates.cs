using System.Globalization;
using Exchange.Contracts.V1;

namespace Exchange.Domain.Recalls;

/// <summary>Recall dates as stored (year * 10000 + month * 100 + day) and the day it is in Japan.</summary>
internal static class RecallDates
{
    // Japan keeps no daylight saving time: a campaign starts at midnight JST of its start date.
    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    public static int Today(DateTimeOffset now) => ToInt(DateOnly.FromDateTime(now.ToOffset(Japan).DateTime));

    public static bool IsValid(Date? date) =>
        date is { Year: >= 1900 and <= 9999, Month: >= 1 and <= 12 } && date.Day >= 1 && date.Day <= DateTime.DaysInMonth(date.Year, date.Month);

    public static int ToInt(Date date) => (date.Year * 10000) + (date.Month * 100) + date.Day;

    public static int ToInt(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;

    public static Date ToDate(int value) => new() { Year = value / 10000, Month = value / 100 % 100, Day = value % 100 };

    public static string Format(int value) => string.Create(CultureInfo.InvariantCulture, $"{value / 10000:D4}-{value / 100 % 100:D2}-{value % 100:D2}");
}
