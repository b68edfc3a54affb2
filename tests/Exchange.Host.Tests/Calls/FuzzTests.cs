using System.Collections;
using System.Reflection;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;

namespace Exchange.Host.Tests.Calls;

/// <summary>
/// Random and mutated requests to every method of every exchange.v1 service, as each kind of
/// partner: none may answer UNKNOWN or INTERNAL, log an error, or break the provision log. Seeded
/// and bounded (<c>EXCHANGE_FUZZ_SEED</c>, <c>EXCHANGE_FUZZ_CALLS</c>, <c>EXCHANGE_FUZZ_SECONDS</c>);
/// <c>make fuzz</c> runs it longer.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Parties = ["admin", "garage-kaminoyama", "group-lotus", "vendor-broadleaf"];

    // Values a partner's system could plausibly send, and some it never should.
    private static readonly string[] Strings =
    [
        "", "after-sales", "marketing", "recall", "statistics", "service-planning", "contact", "contact.name", "contact.phone", "vehicle", "cost.billed_amount",
        "garage-kaminoyama", "group-lotus", "vendor-broadleaf", "garage-fuzz", "c-1", "C001", "顧客-0001", "DAA-ZVW30", "山形県", "key-compromise", "party.",
        "\uFEFFmarketing", "contact.name bogus", "c\u0301", " c-1", "%", "_", "' OR 1=1 --", "\\", "\u202E", "\uD800", new string('x', 70), new string('y', 17_000),
    ];

    private static readonly long[] Numbers = [0, 1, -1, 2, 7, 10, 1000, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 253_402_300_800];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_and_mutated_requests_to_every_method_never_answer_unknown_or_internal_and_leave_the_log_intact()
    {
        var seed = Setting("EXCHANGE_FUZZ_SEED", 20261206);
        var calls = Setting("EXCHANGE_FUZZ_CALLS", 3000);
        var deadline = DateTime.UtcNow.AddSeconds(Setting("EXCHANGE_FUZZ_SECONDS", 40));
        var random = new Random(seed);
        var methods = Methods();
        await using var hub = await TestHub.StartAsync();
        var clients = Parties.ToDictionary(p => p, p => new RawGrpc(hub, p));
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var sent = 0;
        try
        {
            for (; sent < calls && DateTime.UtcNow < deadline; sent++)
            {
                var method = methods[random.Next(methods.Count)];
                var party = Parties[random.Next(Parties.Length)];
                var payload = Payload(random, method.InputType);
                var path = $"/{method.Service.FullName}/{method.Name}";
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                var (response, _) = await clients[party].PostAsync(path, RawGrpc.Frame(payload), headers: new Dictionary<string, string> { ["grpc-timeout"] = "2S" }, cancellationToken: timeout.Token);
                var status = RawGrpc.Status(response) ?? $"http {(int)response.StatusCode}";
                response.Dispose();
                statuses[status] = statuses.GetValueOrDefault(status) + 1;

                // Diagnostics answers with any status a caller asks for in echo_status (gRPC's interop tests need it).
                var echoed = method.Service.Name == "Diagnostics" && method.InputType.FindFieldByName("echo_status") is not null;
                Assert.False(status is "2" or "13" && !echoed, $"call {sent} (seed {seed}) to {path} as {party} answered grpc-status {status}; payload {Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 256)))}");
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"fuzz: seed {seed}, {sent} calls over {methods.Count} methods; statuses {string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"))}");
            Assert.Empty(hub.Logs.Errors);

            // The hub still answers correctly, and the log verifies.
            using var admin = hub.Channel("admin");
            var ping = await new Diagnostics.DiagnosticsClient(admin).PingAsync(new PingRequest(), cancellationToken: Ct);
            Assert.EndsWith("/party/admin", ping.Caller, StringComparison.Ordinal);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(admin).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct)).Status);
            Assert.True((await new Declarations.DeclarationsClient(admin).GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct)).Version >= 1);
            var verified = await new ProvisionLog.ProvisionLogClient(admin).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
            Assert.True(verified.Intact, verified.Problem);
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static List<MethodDescriptor> Methods() =>
        typeof(PingRequest).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(PingRequest).Namespace && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(f => f.Services).SelectMany(s => s.Methods)
            .OrderBy(m => m.FullName, StringComparer.Ordinal).ToList();

    // A third random bytes, a third a random message of the method's type, a third such a message mutated.
    private static byte[] Payload(Random random, MessageDescriptor type)
    {
        var choice = random.Next(3);
        if (choice == 0)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            return bytes;
        }

        var encoded = RandomMessage(random, type, depth: 0).ToByteArray();
        if (choice == 1 || encoded.Length == 0)
        {
            return encoded;
        }

        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            switch (random.Next(3))
            {
                case 0:
                    encoded[random.Next(encoded.Length)] = (byte)random.Next(256);
                    break;
                case 1:
                    encoded = encoded[..random.Next(encoded.Length)];
                    break;
                default:
                    var at = random.Next(encoded.Length + 1);
                    encoded = [.. encoded[..at], (byte)random.Next(256), .. encoded[at..]];
                    break;
            }

            if (encoded.Length == 0)
            {
                break;
            }
        }

        return encoded;
    }

    private static IMessage RandomMessage(Random random, MessageDescriptor type, int depth)
    {
        var message = type.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            if (field.IsMap || random.Next(3) == 0 || (field.FieldType == FieldType.Message && depth >= 3))
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var i = random.Next(4); i > 0; i--)
                {
                    list.Add(Value(random, field, depth));
                }
            }
            else if (field.RealContainingOneof is null || random.Next(2) == 0)
            {
                field.Accessor.SetValue(message, Value(random, field, depth));
            }
        }

        return message;
    }

    private static object Value(Random random, FieldDescriptor field, int depth)
    {
        var number = Numbers[random.Next(Numbers.Length)];
        return field.FieldType switch
        {
            FieldType.String => Strings[random.Next(Strings.Length)],
            FieldType.Bytes => ByteString.CopyFrom(RandomBytes(random)),
            FieldType.Bool => random.Next(2) == 1,
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => unchecked((int)number),
            FieldType.UInt32 or FieldType.Fixed32 => unchecked((uint)number),
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => number,
            FieldType.UInt64 or FieldType.Fixed64 => unchecked((ulong)number),
            FieldType.Double => random.NextDouble() * number,
            FieldType.Float => (float)(random.NextDouble() * number),
            FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, random.Next(-1, field.EnumType.Values.Count + 1)),
            FieldType.Message => RandomMessage(random, field.MessageType, depth + 1),
            _ => throw new NotSupportedException(field.FieldType.ToString()),
        };
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        return bytes;
    }
}
