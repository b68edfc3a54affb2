using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Cli;

/// <summary>
/// Prints results: for people, aligned columns or "name: value" lines; for scripts (--output json),
/// the hub's reply as protobuf JSON, every field present. Hints go to standard error, so standard
/// output carries only the result.
/// </summary>
internal sealed class CliOutput(CliEnvironment environment, OutputFormat format)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());
    private static readonly JsonFormatter LineFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A list: one row per item, or the whole reply as JSON.</summary>
    public void List<T>(IMessage reply, IReadOnlyCollection<T> items, params (string Header, Func<T, string> Value)[] columns)
    {
        if (format == OutputFormat.Json)
        {
            environment.Out.WriteLine(Formatter.Format(reply));
            return;
        }

        if (items.Count == 0)
        {
            environment.Error.WriteLine("(none)");
            return;
        }

        var rows = items.Select(item => columns.Select(c => c.Value(item)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(Width(c.Header), rows.Max(r => Width(r[i])))).ToArray();
        environment.Out.WriteLine(Row(columns.Select(c => c.Header).ToArray(), widths));
        foreach (var row in rows)
        {
            environment.Out.WriteLine(Row(row, widths));
        }
    }

    /// <summary>The header of rows printed one at a time as they arrive (none in JSON, whose lines name their fields).</summary>
    public void RowHeader(params (string Header, int Width)[] columns)
    {
        if (format == OutputFormat.Table)
        {
            environment.Out.WriteLine(Row(columns.Select(c => c.Header).ToArray(), columns.Select(c => c.Width).ToArray()));
        }
    }

    /// <summary>One row, printed as it arrives, padded to fixed widths; or the message as one line of JSON.</summary>
    public void StreamedRow(IMessage message, string[] cells, int[] widths)
    {
        environment.Out.WriteLine(format == OutputFormat.Json ? LineFormatter.Format(message) : Row(cells, widths));
        environment.Out.Flush();
    }

    /// <summary>One record the hub returned: "name: value" lines, or the message as JSON.</summary>
    public void Record(IMessage reply, params (string Name, string Value)[] fields)
    {
        if (format == OutputFormat.Json)
        {
            environment.Out.WriteLine(Formatter.Format(reply));
            return;
        }

        WriteFields(fields);
    }

    /// <summary>A result made by the tool itself: "name: value" lines, or a JSON object with those names.</summary>
    public void Fields(params (string Name, string Value)[] fields)
    {
        if (format == OutputFormat.Json)
        {
            var json = new JsonObject();
            foreach (var (name, value) in fields)
            {
                json[JsonName(name)] = value;
            }

            environment.Out.WriteLine(json.ToJsonString(Indented));
            return;
        }

        WriteFields(fields);
    }

    /// <summary>Guidance for people, on standard error.</summary>
    public void Hint(string text) => environment.Error.WriteLine(text);

    /// <summary>A time as the tool prints it: UTC, to the second.</summary>
    public static string Time(Timestamp? time) =>
        time is null ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time given on the command line: ISO 8601, UTC unless it names its offset; null when not given.</summary>
    public static Timestamp? ParseTime(string? value, string option)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? Timestamp.FromDateTimeOffset(time)
            : throw new CliException(ExitCodes.Usage, $"{option} '{value}' is not an ISO 8601 date or time (e.g. 2027-04-01 or 2027-04-01T09:00+09:00)");
    }

    /// <summary>An enum value the way the CLI spells it: CERTIFICATE_STATE_NOT_YET_VALID becomes "not-yet-valid".</summary>
    public static string Name<T>(T value)
        where T : struct, System.Enum
    {
        var name = value.ToString();
        var text = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    // East Asian wide characters (a garage's Japanese name) take two columns in a terminal.
    private static int Width(string text) => text.Sum(c => c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\uA4CF') or (>= '\uAC00' and <= '\uD7A3') or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F') or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6') ? 2 : 1);

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell + new string(' ', Math.Max(0, widths[i] - Width(cell))))).TrimEnd();

    private static string JsonName(string name)
    {
        var parts = name.Split(' ', '-');
        return parts[0].ToLowerInvariant() + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
    }

    private void WriteFields((string Name, string Value)[] fields)
    {
        var width = fields.Max(f => f.Name.Length);
        foreach (var (name, value) in fields)
        {
            environment.Out.WriteLine($"{(name + ":").PadRight(width + 1)} {value}");
        }
    }
}
