using System.Globalization;
using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;
using Exchange.Contracts.V1;
using Exchange.Domain.Feed;
using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class WatchCommandTests : CliScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";
    private int _written;

    [Fact]
    public async Task Watch_prints_each_event_on_a_line_and_keeps_its_position_in_the_cursor_file()
    {
        await VendorWritesAsync(3);

        var first = (await RunAsAsync(Garage, "watch", "--from-earliest", "--count", "3", "--cursor-file", "cursor")).Expect(0);
        await VendorWritesAsync(2);
        var next = (await RunAsAsync(Garage, "watch", "--cursor-file", "cursor", "--count", "2", "-o", "json")).Expect(0);

        var lines = first.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("SEQ", lines[0], StringComparison.Ordinal);
        Assert.Equal(["W-0", "W-1", "W-2"], lines[1..].Select(l => Assert.Single(l.Split(' ', StringSplitOptions.RemoveEmptyEntries), w => w.StartsWith("W-", StringComparison.Ordinal))));
        Assert.All(lines[1..], l => Assert.Contains($"record-changed-by-vendor  {Vendor} created W-", l, StringComparison.Ordinal));
        var events = Json(next);
        Assert.Equal(["W-3", "W-4"], events.Select(e => e.GetProperty("recordChangedByVendor").GetProperty("customerRef").GetString()));
        var printedBefore = long.Parse(lines[^1].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.True(Sequence(events[0]) > printedBefore, $"event {Sequence(events[0])} was printed after event {printedBefore}");
        Assert.Equal(Sequence(events[^1]).ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(InWorkingDirectory("cursor"), Ct)).Trim());
    }

    [Fact]
    public async Task Watch_resumes_after_a_dropped_connection_without_losing_or_repeating_an_event()
    {
        await VendorWritesAsync(5);
        var fifth = Sequence(Json((await RunAsAsync(Garage, "watch", "--from-earliest", "--count", "5", "-o", "json")).Expect(0))[^1]).ToString(CultureInfo.InvariantCulture);
        await using var proxy = new DroppingProxy(Hub.Address, dropFirst: false);
        var cursor = InWorkingDirectory("cursor");

        var watching = RunAsAsync(Garage, "watch", "--hub", proxy.Address.ToString(), "--from-earliest", "--count", "10", "--cursor-file", "cursor", "-o", "json");
        await WaitUntilAsync(() => File.Exists(cursor) && File.ReadAllText(cursor).Trim() == fifth, watching);
        proxy.Sever();
        await VendorWritesAsync(5);
        var run = (await watching).Expect(0);

        var events = Json(run);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"W-{i}"), events.Select(e => e.GetProperty("recordChangedByVendor").GetProperty("customerRef").GetString()));
        var sequences = events.Select(Sequence).ToList();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), string.Join(' ', sequences));
        Assert.Contains("resubscribing after event", run.Error, StringComparison.Ordinal);
        Assert.True(proxy.Connections >= 2, $"{proxy.Connections} connection(s) through the relay");
    }

    [Fact]
    public async Task Watch_without_a_position_starts_with_the_events_stored_from_now_on()
    {
        await VendorWritesAsync(2);

        var watching = RunAsAsync(Garage, "watch", "--count", "1", "-o", "json");
        // The subscription opens at some point after the call: events keep coming until one reaches it.
        while (!watching.IsCompleted && _written < 200)
        {
            await VendorWritesAsync(1);
            await Task.WhenAny(watching, Task.Delay(200, Ct));
        }

        var reference = Assert.Single(Json((await watching).Expect(0))).GetProperty("recordChangedByVendor").GetProperty("customerRef").GetString();
        Assert.DoesNotContain(reference, new[] { "W-0", "W-1" });
    }

    [Fact]
    public async Task Watch_from_a_cursor_older_than_the_retained_events_exits_with_8_and_leaves_the_cursor()
    {
        await VendorWritesAsync(3);
        (await RunAsAsync(Garage, "watch", "--from-earliest", "--count", "1", "--cursor-file", "cursor")).Expect(0);
        var cursor = await File.ReadAllTextAsync(InWorkingDirectory("cursor"), Ct);
        // What retention does once the events are older than Exchange:Feed:RetentionDays.
        await using (var scope = Hub.Services.CreateAsyncScope())
        {
            var feed = scope.ServiceProvider.GetRequiredService<IFeedStore>();
            Assert.True(await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => feed.PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1), ct), Ct) >= 3);
        }

        var run = (await RunAsAsync(Garage, "watch", "--cursor-file", "cursor")).Expect(ExitCodes.CursorExpired);

        Assert.Contains($"the hub no longer retains the events after event {cursor.Trim()}", run.Error, StringComparison.Ordinal);
        Assert.Contains("after deleting", run.Error, StringComparison.Ordinal);
        Assert.Equal(cursor, await File.ReadAllTextAsync(InWorkingDirectory("cursor"), Ct));
    }

    [Fact]
    public async Task Watch_refuses_a_cursor_file_that_holds_no_sequence()
    {
        await File.WriteAllTextAsync(InWorkingDirectory("cursor"), "yesterday\n", Ct);

        var run = (await RunAsAsync(Garage, "watch", "--cursor-file", "cursor")).Expect(ExitCodes.Failure);

        Assert.Contains("is not a cursor file", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    private static long Sequence(JsonElement e) => long.Parse(e.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture);

    private static List<JsonElement> Json(CliRun run) =>
        [.. run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private static async Task WaitUntilAsync(Func<bool> condition, Task<CliRun> running)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.False(running.IsCompleted, $"the watch ended early: {(running.IsCompleted ? await running : null)}");
            Assert.True(DateTime.UtcNow < deadline, "the watch printed too little");
            await Task.Delay(20, Ct);
        }
    }

    // The vendor writes records W-n for the garage, one call each: one event each, in order.
    private async Task VendorWritesAsync(int count)
    {
        if (_written == 0)
        {
            using var garage = Hub.Channel(Garage);
            await new Partners.PartnersClient(garage).GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read", "write" } }, cancellationToken: Ct);
        }

        using var channel = Hub.Channel(Vendor);
        var vendor = new Records.RecordsClient(channel);
        for (var i = 0; i < count; i++, _written++)
        {
            var record = Sample.Customer($"W-{_written}");
            record.OwnerParty = Garage;
            await vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
        }
    }
}
