using System.Buffers;

namespace Exchange.Domain.Items;

/// <summary>
/// Keeps free-text fields from becoming a place for sensitive data (要配慮個人情報, APPI Art. 2(3)):
/// text naming a sensitive category is refused. A screen, not a classifier: it catches the
/// obvious cases a person typing into a garage system would write.
/// </summary>
public static class SensitiveTextScreen
{
    private static readonly string[] Terms =
    [
        "病歴", "既往歴", "病名", "診断", "通院", "入院", "障害者手帳", "障がい", "健康診断", "服薬",
        "人種", "民族", "信条", "宗教", "信仰", "社会的身分", "門地", "本籍", "出身地",
        "犯罪", "前科", "前歴", "逮捕", "起訴", "犯罪被害", "被害者", "労働組合", "組合員", "性生活", "性的指向",
        "medical history", "diagnosis", "disability", "religion", "creed", "criminal record",
        "arrested", "trade union", "race:", "ethnicity", "sexual orientation",
    ];

    // One vectorised search for all terms at once: every string of every record written passes here.
    private static readonly SearchValues<string> Search = SearchValues.Create(Terms, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first sensitive term found in <paramref name="text"/>, or null.</summary>
    public static string? FindSensitiveTerm(string text)
    {
        var at = text.AsSpan().IndexOfAny(Search);
        return at < 0 ? null : Terms.Where(t => text.AsSpan(at).StartsWith(t, StringComparison.OrdinalIgnoreCase)).MaxBy(t => t.Length);
    }
}
