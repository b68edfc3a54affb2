using System.Globalization;
using System.Text.RegularExpressions;

namespace Exchange.Host.Tests.Telemetry;

/// <summary>One scrape of the Prometheus endpoint, read as samples: a name, its labels and a value.</summary>
public sealed partial class MetricsScrape
{
    private MetricsScrape(string text)
    {
        Text = text;
        Samples = text.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => SampleLine().Match(l))
            .Where(m => m.Success)
            .Select(m => (m.Groups["name"].Value,
                (IReadOnlyDictionary<string, string>)Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The scrape as served.</summary>
    public string Text { get; }

    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Samples { get; }

    /// <summary>Scrapes <paramref name="operations"/>/metrics over plain HTTP, without a client certificate.</summary>
    public static async Task<MetricsScrape> ReadAsync(Uri operations)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(operations, "/metrics"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return new MetricsScrape(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/> ("key=value").</summary>
    public double Sum(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l[..l.IndexOf('=')], out var v) && v == l[(l.IndexOf('=') + 1)..])).Sum(s => s.Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"?""")]
    private static partial Regex Label();
}
