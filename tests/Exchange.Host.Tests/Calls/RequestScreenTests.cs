using System.Diagnostics.Metrics;
using Exchange.Contracts.V1;
using Exchange.Host.Calls;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Tests.Calls;

/// <summary>Requests that cannot be parsed, or hold text or values no request may hold, are INVALID_ARGUMENT at the edge.</summary>
public sealed class RequestScreenTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string Garage = "garage-kaminoyama";
    private const string GetCustomer = "/exchange.v1.Records/GetCustomer";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub;

    public static TheoryData<string, byte[]> Unparseable => new()
    {
        { "random bytes", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x12, 0x9A] },
        { "a length past the end", [0x0A, 0x7F, 0x61] },
        { "invalid UTF-8 in a string", [0x0A, 0x02, 0xC3, 0x28] },
        { "groups nested beyond the limit", [.. Enumerable.Repeat((byte)0x7B, 200), .. Enumerable.Repeat((byte)0x7C, 200)] },
        { "a varint longer than ten bytes", [0x08, .. Enumerable.Repeat((byte)0xFF, 11)] },
    };

    [Theory]
    [MemberData(nameof(Unparseable))]
    public async Task A_request_that_cannot_be_parsed_is_invalid_argument_not_unknown(string kind, byte[] payload)
    {
        using var raw = new RawGrpc(Hub, Garage);
        var (response, _) = await raw.PostAsync(GetCustomer, RawGrpc.Frame(payload), cancellationToken: Ct);

        Assert.True(RawGrpc.Status(response) == "3", $"{kind}: grpc-status {RawGrpc.Status(response)}");
        Assert.Empty(Hub.Logs.Errors);
    }

    [Theory]
    [InlineData("\uFEFFmarketing", "U+FEFF (a byte-order mark)")]
    [InlineData("market\u200Bing", "U+200B (a format character)")]
    [InlineData("mark\u0007eting", "U+0007 (a control character)")]
    [InlineData("\uFFFEmarketing", "U+FFFE (a noncharacter)")]
    [InlineData("\u202Egnitekram", "U+202E (a format character)")]
    public async Task Text_holding_a_character_no_request_may_hold_is_refused_wherever_it_stands(string text, string named)
    {
        var records = new Records.RecordsClient(Hub.Channel(Garage));
        var record = Sample.Customer("c-1");
        record.Contact.Name = text;
        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            var purpose = await Refusals.FailsAsync(() => records.GetCustomerAsync(new GetCustomerRequest { Purpose = text, OwnerParty = Garage, CustomerRef = "c-1" }, cancellationToken: Ct).ResponseAsync);
            var nested = await Refusals.FailsAsync(() => records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (purpose.StatusCode, nested.StatusCode));
            Assert.Contains("purpose holds the character " + named, purpose.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("record.contact.name holds the character " + named, nested.Status.Detail, StringComparison.Ordinal);
        });

        Assert.Empty(entries);
    }

    [Theory]
    [InlineData("/exchange.v1.Records/PutCustomer")]
    [InlineData("/exchange.v1.Records/GetCustomer")]
    public async Task A_field_the_schema_does_not_define_in_a_request_envelope_is_refused_and_changes_nothing(string path)
    {
        IMessage request = path.EndsWith("PutCustomer", StringComparison.Ordinal)
            ? new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("c-envelope") }
            : new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "c-envelope", Items = { "contact" } };
        byte[] unknownField = [0xF8, 0x06, 0x01]; // field 111, varint 1
        using var raw = new RawGrpc(Hub, Garage);

        var (entries, events) = await Hub.TracesDuringAsync(async () =>
        {
            var (response, _) = await raw.PostAsync(path, RawGrpc.Frame([.. request.ToByteArray(), .. unknownField]), cancellationToken: Ct);
            Assert.Equal("3", RawGrpc.Status(response));
            Assert.StartsWith("field 111 is not defined by", RawGrpc.Message(response), StringComparison.Ordinal);
        });

        Assert.Empty(entries);
        Assert.Empty(events);
        var read = await Refusals.FailsAsync(() => new Records.RecordsClient(Hub.Channel(Garage)).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "c-envelope", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task Oversized_text_is_refused_without_echoing_it()
    {
        var records = new Records.RecordsClient(Hub.Channel(Garage));
        var huge = new string('m', 1_000_000);

        var error = await Refusals.FailsAsync(() => records.GetCustomerAsync(new GetCustomerRequest { Purpose = huge, OwnerParty = Garage, CustomerRef = "c-1" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"purpose is longer than {RequestScreen.MaxText} characters (rule request.malformed)", error.Status.Detail);
        Assert.Equal("request.malformed", error.Trailers.GetValue("exchange-rule"));
    }

    [Fact]
    public async Task Out_of_range_timestamps_are_invalid_argument()
    {
        var declarations = new Declarations.DeclarationsClient(Hub.Channel("admin"));

        var future = await Refusals.FailsAsync(() => declarations.GetInForceAsync(new GetInForceRequest { At = new Timestamp { Seconds = long.MaxValue } }, cancellationToken: Ct).ResponseAsync);
        var nanos = await Refusals.FailsAsync(() => declarations.GetInForceAsync(new GetInForceRequest { At = new Timestamp { Seconds = 0, Nanos = -1 } }, cancellationToken: Ct).ResponseAsync);
        var publish = await Refusals.FailsAsync(() => declarations.PublishAsync(new PublishRequest { EffectiveAt = new Timestamp { Seconds = long.MinValue } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal([StatusCode.InvalidArgument, StatusCode.InvalidArgument, StatusCode.InvalidArgument], new[] { future.StatusCode, nanos.StatusCode, publish.StatusCode });
        Assert.Equal("at is not a timestamp between years 1 and 9999 (rule request.malformed)", future.Status.Detail);
        Assert.Equal("effective_at is not a timestamp between years 1 and 9999 (rule request.malformed)", publish.Status.Detail);
    }

    [Fact]
    public async Task An_audit_filter_is_bounded()
    {
        var audit = new HubAudit.HubAuditClient(Hub.Channel("admin"));

        var error = await Refusals.FailsAsync(() => audit.ListEventsAsync(new ListAuditEventsRequest { ActionPrefix = new string('%', 10_000) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty(Hub.Logs.Errors);
    }

    [Fact]
    public async Task Malformed_requests_are_counted_and_warned_of_at_a_bounded_rate()
    {
        using var listener = new MeterListener();
        long counted = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CallRefusals.MeterName && instrument.Name == CallRefusals.MalformedCounter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();

        // A hub of its own: the shared one's other tests may have spent this minute's warnings.
        await using var hub = await TestHub.StartAsync();
        using var raw = new RawGrpc(hub, Garage);

        for (var i = 0; i < 3 * CallRefusals.LogsPerMinute; i++)
        {
            var (response, _) = await raw.PostAsync(GetCustomer, RawGrpc.Frame([0xFF, 0xFF, (byte)i]), cancellationToken: Ct);
            Assert.Equal("3", RawGrpc.Status(response));
        }

        Assert.True(Interlocked.Read(ref counted) >= 3 * CallRefusals.LogsPerMinute, $"counted {counted}");
        Assert.InRange(hub.Logs.Entries.Count(e => e.Event.Id == 2010), 1, CallRefusals.LogsPerMinute);
        Assert.Empty(hub.Logs.Errors);
    }
}
