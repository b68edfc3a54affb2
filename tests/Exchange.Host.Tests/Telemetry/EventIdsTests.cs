using System.Reflection;
using System.Text.RegularExpressions;

using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Host.Tests.Telemetry;

/// <summary>docs/operations.md lists every log event of the hub, as the code declares it, each ID once.</summary>
public sealed partial class EventIdsTests
{
    private static readonly Assembly[] HubAssemblies =
    [
        typeof(HubApplication).Assembly,
        typeof(Exchange.Storage.StorageSettings).Assembly,
        typeof(Exchange.Protocol.Server.CallConcurrencyLimit).Assembly,
        typeof(Exchange.Domain.CallContext).Assembly,
    ];

    [Fact]
    public void Every_logged_event_is_listed_once_in_docs_operations_with_its_level_and_name()
    {
        var declared = HubAssemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (Id: m.Attribute!.EventId, Level: m.Attribute.Level.ToString(), Name: m.Method.Name))
            .ToList();
        var listed = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "docs", "operations.md"))
            .Select(l => TableRow().Match(l))
            .Where(m => m.Success)
            .Select(m => (Id: int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), Level: m.Groups["level"].Value, Name: m.Groups["name"].Value))
            .ToList();

        Assert.True(declared.Count > 40, $"only {declared.Count} [LoggerMessage] methods found");
        Assert.Empty(declared.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Name))}"));
        Assert.Empty(listed.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(declared.OrderBy(d => d.Id).ToList(), listed.OrderBy(d => d.Id).ToList());
    }


    [GeneratedRegex(@"^\| (?<id>\d+) \| (?<level>\w+) \| \w+ \| (?<name>\w+) \|")]
    private static partial Regex TableRow();
}
