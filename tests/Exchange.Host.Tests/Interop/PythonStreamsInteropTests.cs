using System.Text.Json;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// The two streams of issue 20 driven by Debian's python3-grpcio, a client nobody here wrote: a
/// vendor's sync of upserts and deletions for two garages cut mid-stream by closing the channel and
/// resumed with the sync ID, and a subscription dropped and resumed after the last sequence read;
/// and a recall campaign (issue 21) run from both sides by the same client.
/// </summary>
public abstract class PythonStreamsInteropTests(DatabaseProvider provider) : HubScenario
{
    private const string Vendor = "vendor-broadleaf";
    private const string Garage = "garage-kaminoyama";
    private const string SecondGarage = "garage-zao";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(240);

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(provider: provider);

    [Fact]
    public async Task Python_vendor_sync_cut_mid_stream_and_resumed_applies_every_change_exactly_once()
    {
        const int Changes = 2_000;
        await AuthoriseVendorForAsync(Garage, SecondGarage);

        var run = await RunAsync("sync", Vendor, new { garages = new[] { Garage, SecondGarage }, count = Changes, window = 128, cut_after = 700, resend = 20, prefix = "PY" });

        run.AssertCode(StatusCode.OK);
        var live = new List<string>();
        run.Verify(r =>
        {
            Assert.Equal("CANCELLED", r.GetProperty("cut_code").GetString());
            var resumedAt = r.GetProperty("resumed_acknowledged_sequence").GetInt64();
            Assert.InRange(resumedAt, r.GetProperty("acked_before_cut").GetInt64(), Changes - 1);
            Assert.Equal(Changes, r.GetProperty("final_through_sequence").GetInt64());
            Assert.Equal(Enumerable.Range(1, Changes).Select(i => (long)i), r.GetProperty("acknowledged").EnumerateArray().Select(s => s.GetInt64()));
            Assert.Equal(0, r.GetProperty("repeated_acknowledgements").GetInt32());
            Assert.Empty(r.GetProperty("refused").EnumerateArray());
            Assert.True(r.GetProperty("resent").GetInt32() >= 20, "the script re-sent no acknowledged change");
            Assert.Equal(["SYNC_OUTCOME_DUPLICATE"], r.GetProperty("resent_outcomes").EnumerateArray().Select(o => o.GetString()));
            live.AddRange(r.GetProperty("live").EnumerateArray().Select(l => l.GetString()!));
        });

        // At the hub: the records the changes leave, and one log entry per change, each change once.
        Assert.Equal(live.Order(StringComparer.Ordinal), await StoredCustomersAsync());
        var entries = (await Hub.ReadAllAsync()).Select(e => e.Fact).Where(f => f.Agent == Vendor).ToList();
        Assert.Equal(Changes, entries.Count);
        Assert.Equal(Changes / 5, entries.Count(f => f.Outcome == ProvisionOutcome.Deleted));
        Assert.Equal(Changes - (Changes / 5), entries.Count(f => f.Outcome == ProvisionOutcome.Received));
        Assert.Equal(Changes / 2, entries.Count(f => f.Provider == SecondGarage));
        var verified = await new ProvisionLog.ProvisionLogClient(Channel("admin")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(verified.Intact, verified.Problem);
    }

    [Fact]
    public async Task Python_subscriber_dropped_and_resumed_after_its_last_sequence_misses_nothing_and_sees_nothing_twice()
    {
        await AuthoriseVendorForAsync(Garage);
        var vendor = new Records.RecordsClient(Channel(Vendor));
        await WriteForGarageAsync(vendor, 0, 30);
        var ready = Path.Combine(Hub.Directory, "python-ready");
        var go = Path.Combine(Hub.Directory, "python-go");

        var running = RunAsync("subscribe", Garage, new { first = 12, total = 50, ready_file = ready, go_file = go });
        await WaitForAsync(ready, running);
        // Stored while the subscriber is away: delivered when it resumes.
        await WriteForGarageAsync(vendor, 30, 20);
        await File.WriteAllTextAsync(go, "go\n", Ct);
        var run = await running;

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            Assert.Equal("CANCELLED", r.GetProperty("dropped_code").GetString());
            var sequences = r.GetProperty("sequences").EnumerateArray().Select(s => s.GetInt64()).ToList();
            Assert.Equal(50, sequences.Count);
            Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second), $"sequences not strictly increasing: {string.Join(' ', sequences)}");
            Assert.Equal(["record_changed_by_vendor"], r.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal(Enumerable.Range(0, 50).Select(Ref), r.GetProperty("refs").EnumerateArray().Select(s => s.GetString()));
        });
    }

    [Fact]
    public async Task Python_group_body_creates_a_recall_whose_notices_a_python_garage_follows_and_reports_on()
    {
        var request = new PutCustomersRequest { Purpose = "after-sales" };
        request.Records.AddRange(new[] { "7000001", "7000002", "7000003", "7000009" }.Select(r => Sample.Customer(r)));
        await new Records.RecordsClient(Channel(Garage)).PutCustomersAsync(request, cancellationToken: Ct);

        var created = await RunAsync("recall_create", "group-lotus", new { recall_number = "PY-1", frame = "ＺＶＷ３０", from = 7000001, to = 7000005 });
        var followed = await RunAsync("recall_follow", Garage, new { count = 3 });
        var progress = await RunAsync("recall_progress", "group-lotus", new { recall_number = "PY-1" });

        created.AssertCode(StatusCode.OK);
        created.Verify(r =>
        {
            Assert.Equal(1, r.GetProperty("version").GetInt32());
            Assert.Equal(3, r.GetProperty("newly_affected").GetInt64());
        });
        followed.AssertCode(StatusCode.OK);
        followed.Verify(r =>
        {
            var notices = r.GetProperty("notices").EnumerateArray().ToList();
            Assert.Equal(["7000001", "7000002", "7000003"], notices.Select(n => n.GetProperty("customer_ref").GetString()).Order(StringComparer.Ordinal));
            Assert.All(notices, n =>
            {
                Assert.Equal("PY-1", n.GetProperty("recall_number").GetString());
                Assert.Equal(["contact.address", "contact.email", "contact.name", "contact.phone", "vehicle.inspection_certificate"], n.GetProperty("items").EnumerateArray().Select(i => i.GetString()));
                Assert.True(n.GetProperty("has_name").GetBoolean() && n.GetProperty("has_phone").GetBoolean());
                Assert.False(n.GetProperty("has_birth_date").GetBoolean());
                Assert.Equal(["ZVW30-" + n.GetProperty("customer_ref").GetString()], n.GetProperty("vehicles").EnumerateArray().Select(v => v.GetString()));
                Assert.Equal(0, n.GetProperty("repairs").GetInt32());
                Assert.Equal((int)RecallStep.Contacted, n.GetProperty("step_after_contact").GetInt32());
            });
        });
        progress.AssertCode(StatusCode.OK);
        progress.Verify(r =>
        {
            Assert.Equal([3L, 3, 3, 3, 0], r.GetProperty("total").EnumerateArray().Select(c => c.GetInt64()));
            Assert.Equal([3L, 3, 3, 3, 0], r.GetProperty("garages").GetProperty(Garage).EnumerateArray().Select(c => c.GetInt64()));
        });
        var recallEntries = (await Hub.ReadAllAsync()).Select(e => e.Fact).Where(f => f.Purpose == "recall").ToList();
        Assert.Equal(3, recallEntries.Count(f => f.Outcome == ProvisionOutcome.Provided && f.Recipient == Garage));
    }

    private static string Ref(int i) => FormattableString.Invariant($"F-{i:D3}");

    private static async Task WriteForGarageAsync(Records.RecordsClient vendor, int from, int count)
    {
        // One call per record: each change is one event, in this order.
        for (var i = from; i < from + count; i++)
        {
            var record = Sample.Customer(Ref(i));
            record.OwnerParty = Garage;
            await vendor.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
        }
    }

    private async Task AuthoriseVendorForAsync(params string[] garages)
    {
        var admin = Channel("admin");
        foreach (var garage in garages)
        {
            if (garage != Garage)
            {
                await admin.AddPartyAsync(garage);
            }

            await new Partners.PartnersClient(admin).GrantAuthorisationAsync(new GrantAuthorisationRequest { GarageParty = garage, VendorParty = Vendor, Operations = { "read", "write" } }, cancellationToken: Ct);
        }
    }

    private async Task<List<string>> StoredCustomersAsync()
    {
        await using var scope = Hub.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database;
        var stored = await database.SqlQueryRaw<string>("SELECT owner_party || '/' || customer_ref AS \"Value\" FROM customers").ToListAsync(Ct);
        return [.. stored.Order(StringComparer.Ordinal)];
    }

    private static async Task WaitForAsync(string file, Task<PythonClientRun> running)
    {
        var deadline = DateTime.UtcNow + ScriptTimeout;
        while (!File.Exists(file))
        {
            if (running.IsCompleted)
            {
                Assert.Fail($"interop_streams.py finished before it dropped its subscription.\n{(await running).Describe()}");
            }

            Assert.True(DateTime.UtcNow < deadline, "interop_streams.py never dropped its subscription");
            await Task.Delay(20, Ct);
        }
    }

    private Task<PythonClientRun> RunAsync(string testCase, string party, object parameters) =>
        PythonClientRun.StartAsync(
            testCase,
            [
                "--target", $"127.0.0.1:{Hub.Address.Port}",
                "--ca", Path.Combine(Hub.CertificateDirectory, "ca.crt"),
                "--cert", Path.Combine(Hub.CertificateDirectory, party + ".crt"),
                "--key", Path.Combine(Hub.CertificateDirectory, party + ".key"),
                "--descriptors", PythonGrpc.WriteDescriptorSet(Hub.Directory, "streams.pb", RecordsServiceReflection.Descriptor, RecallReflection.Descriptor, FeedReflection.Descriptor),
                "--params", JsonSerializer.Serialize(parameters),
            ],
            ScriptTimeout,
            Ct,
            "interop_streams.py");
}

/// <summary>The python streams on SQLite.</summary>
public sealed class PythonStreamsInteropOnSqliteTests() : PythonStreamsInteropTests(DatabaseProvider.Sqlite);

/// <summary>The python streams on PostgreSQL.</summary>
public sealed class PythonStreamsInteropOnPostgresTests() : PythonStreamsInteropTests(DatabaseProvider.Postgres);
