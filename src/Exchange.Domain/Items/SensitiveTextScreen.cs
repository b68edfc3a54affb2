using System.Buffers;
using System.Text;

namespace Exchange.Domain.Items;

/// <summary>
/// Keeps free-text fields from becoming a place for sensitive data (要配慮個人情報, APPI Art. 2(3)):
/// text naming a sensitive category, a condition, a treatment or a status in it is refused. A
/// screen, not a classifier: it catches what a person typing into a garage system would write. The
/// terms are data (<c>Items/sensitive-terms.txt</c>), grouped by category.
/// </summary>
public static class SensitiveTextScreen
{
    private const string ResourceName = "Exchange.Domain.Items.sensitive-terms.txt";

    private static readonly (string Term, string Category)[] Terms = Load();

    // One vectorised search for all terms at once: every string of every record written passes here.
    private static readonly SearchValues<string> Search = SearchValues.Create(Terms.Select(t => t.Term).ToArray(), StringComparison.OrdinalIgnoreCase);

    /// <summary>The categories, in the order the data names them.</summary>
    public static IReadOnlyList<string> Categories { get; } = Terms.Select(t => t.Category).Distinct().ToList();

    /// <summary>The first sensitive term found in <paramref name="text"/>, or null.</summary>
    public static string? FindSensitiveTerm(string text) => Find(text)?.Term;

    /// <summary>The first sensitive term found in <paramref name="text"/> and its category, or null.</summary>
    public static (string Term, string Category)? Find(string text)
    {
        // Full- and half-width forms (ＨＩＶ, ｶﾞﾝ) are folded to their usual form first.
        if (text.AsSpan().IndexOfAnyInRange('\uFF00', '\uFFEF') >= 0)
        {
            text = text.Normalize(NormalizationForm.FormKC);
        }

        var span = text.AsSpan();
        for (var start = 0; start < span.Length;)
        {
            var at = span[start..].IndexOfAny(Search);
            if (at < 0)
            {
                return null;
            }

            at += start;
            (string Term, string Category)? found = null;
            foreach (var candidate in Terms)
            {
                if ((found is null || candidate.Term.Length > found.Value.Term.Length)
                    && span[at..].StartsWith(candidate.Term, StringComparison.OrdinalIgnoreCase) && IsWhole(span, at, candidate.Term))
                {
                    found = candidate;
                }
            }

            if (found is not null)
            {
                return found;
            }

            start = at + 1;
        }

        return null;
    }

    // Latin terms count as whole words only ("race:" is not in "brace:", "prison" not in "comparison").
    private static bool IsWhole(ReadOnlySpan<char> text, int at, string term) =>
        (!char.IsAsciiLetter(term[0]) || at == 0 || !char.IsAsciiLetter(text[at - 1]))
        && (!char.IsAsciiLetter(term[^1]) || at + term.Length >= text.Length || !char.IsAsciiLetter(text[at + term.Length]));

    private static (string Term, string Category)[] Load()
    {
        using var stream = typeof(SensitiveTextScreen).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var terms = new List<(string, string)>();
        string? category = null;
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                category = line[1..^1];
                continue;
            }

            terms.Add((line, category ?? throw new InvalidOperationException($"The term '{line}' in {ResourceName} comes before any [category].")));
        }

        return [.. terms];
    }
}
