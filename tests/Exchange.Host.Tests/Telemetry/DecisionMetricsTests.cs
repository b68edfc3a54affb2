using System.Diagnostics;
using Exchange.Contracts.V1;
using Exchange.Domain.Policy;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;
using StatusCode = Grpc.Core.StatusCode;
using OpenTelemetry.Trace;

namespace Exchange.Host.Tests.Telemetry;

/// <summary>Calls driven over mTLS, then read back from the Prometheus endpoint, the captured logs and the exported spans.</summary>
public sealed class DecisionMetricsTests
{
    private const string Garage = "garage-kaminoyama";
    private const string Provisions = "exchange_provisions_total";

    // Every caller-chosen string and personal value below carries this mark: none may reach a label or a log line.
    private const string Mark = "zqx";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> OperationsPort => new() { ["Exchange:Operations:Port"] = "0" };

    private static GetCustomerRequest Get(string purpose, string owner, string customerRef, params string[] items)
    {
        var request = new GetCustomerRequest { Purpose = purpose, OwnerParty = owner, CustomerRef = customerRef };
        request.Items.AddRange(items);
        return request;
    }

    [Fact]
    public async Task Decisions_are_counted_by_purpose_outcome_and_rule_and_calls_by_method_and_status()
    {
        await using var hub = await TestHub.StartAsync(settings: OperationsPort);
        var garage = new Records.RecordsClient(hub.Channel(Garage));

        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        await garage.GetCustomerAsync(Get("after-sales", Garage, "C001", "contact"), cancellationToken: Ct);
        await garage.GetCustomerAsync(Get("after-sales", Garage, "C001", "contact"), cancellationToken: Ct);
        await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("zqx-purpose", Garage, "C001", "contact"), cancellationToken: Ct).ResponseAsync);
        await Refusals.FailsAsync(() => garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "marketing", Record = Sample.Customer("C002") }, cancellationToken: Ct).ResponseAsync);
        await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("Zqx Purpose", Garage, "C001", "contact"), cancellationToken: Ct).ResponseAsync);

        var metrics = await MetricsScrape.ReadAsync(hub.OperationsAddress!);
        Assert.Equal(1, metrics.Sum(Provisions, "purpose=after-sales", "outcome=received", "rule=none"));
        Assert.Equal(2, metrics.Sum(Provisions, "purpose=after-sales", "outcome=provided", "rule=none"));
        Assert.Equal(1, metrics.Sum(Provisions, "purpose=other", "outcome=refused", $"rule={PolicyRules.PurposeUndeclared}"));
        Assert.Equal(1, metrics.Sum(Provisions, "purpose=marketing", "outcome=refused", $"rule={PolicyRules.WriteAfterSalesOnly}"));
        Assert.Equal(1, metrics.Sum(Provisions, "purpose=none", "outcome=refused", $"rule={PolicyRules.RequestMalformed}"));
        Assert.Equal(3, metrics.Sum(Provisions, "outcome=refused"));

        const string Calls = "rpc_server_call_duration_seconds_count";
        Assert.Equal(2, metrics.Sum(Calls, "rpc_service=exchange.v1.Records", "rpc_method=GetCustomer", $"rpc_grpc_status_code={(int)StatusCode.OK}"));
        Assert.Equal(1, metrics.Sum(Calls, "rpc_service=exchange.v1.Records", "rpc_method=GetCustomer", $"rpc_grpc_status_code={(int)StatusCode.PermissionDenied}"));
        Assert.Equal(1, metrics.Sum(Calls, "rpc_service=exchange.v1.Records", "rpc_method=GetCustomer", $"rpc_grpc_status_code={(int)StatusCode.InvalidArgument}"));
        Assert.Equal(1, metrics.Sum(Calls, "rpc_method=PutCustomer", $"rpc_grpc_status_code={(int)StatusCode.OK}"));
    }

    [Fact]
    public async Task Each_refusal_is_logged_with_its_call_and_rule_until_the_rules_lines_run_out()
    {
        var logs = new CapturedLogs(LogLevel.Information);
        await using var hub = await StartLoggingAsync(logs);
        var garage = new Records.RecordsClient(hub.Channel(Garage));

        for (var i = 0; i < 13; i++)
        {
            await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("zqx-purpose", Garage, "C001", "contact"), cancellationToken: Ct).ResponseAsync);
        }

        var refused = logs.Entries.Where(e => e.Event.Id == 2402).ToList();
        Assert.Equal(10, refused.Count);
        Assert.All(refused, e => Assert.Contains($"by {Garage} refused by rule {PolicyRules.PurposeUndeclared} for purpose other", e.Message, StringComparison.Ordinal));
        var callIds = (await hub.ReadAllAsync()).Select(e => e.Fact.CallId).ToList();
        Assert.Equal(13, callIds.Count);
        Assert.All(callIds.Take(10), id => Assert.Contains(refused, e => e.Message.Contains(id, StringComparison.Ordinal)));
        var metrics = await MetricsScrape.ReadAsync(hub.OperationsAddress!);
        Assert.Equal(13, metrics.Sum(Provisions, $"rule={PolicyRules.PurposeUndeclared}"));
    }

    [Fact]
    public async Task No_metric_label_or_log_line_carries_a_personal_value_or_a_callers_string()
    {
        var logs = new CapturedLogs(LogLevel.Debug);
        await using var hub = await StartLoggingAsync(logs);
        var garage = new Records.RecordsClient(hub.Channel(Garage));
        var lotus = new Records.RecordsClient(hub.Channel("group-lotus"));
        var record = Sample.Customer("zqx-ref-1");
        record.Contact.Name = "Zqx 山田 太郎";
        record.Contact.NameKana = "ザキュ";
        record.Contact.Email = "zqx@example.jp";
        record.Contact.Phone = "023-672-9999";
        record.Contact.Address.Street = "zqx street 1";
        record.Vehicles[0].InspectionCertificate.RegistrationNumber = "山形 500 zqx 12-34";

        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct);
        await garage.GetCustomerAsync(Get("after-sales", Garage, "zqx-ref-1", "contact", "vehicle"), cancellationToken: Ct);
        await lotus.GetCustomerAsync(Get("marketing", Garage, "zqx-ref-1", "contact"), cancellationToken: Ct).ResponseAsync.ContinueWith(_ => { }, TaskScheduler.Default);
        await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("zqx-purpose", "zqx-owner", "zqx-ref-2", "zqx.item"), cancellationToken: Ct).ResponseAsync);
        await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("Zqx Purpose", "zqx owner", "zqx ref", "zqx item"), cancellationToken: Ct).ResponseAsync);
        await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("after-sales", "zqx-owner", "zqx-ref-3", "contact"), cancellationToken: Ct).ResponseAsync);
        await Refusals.FailsAsync(() => garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "zqx-purpose", Record = record }, cancellationToken: Ct).ResponseAsync);
        var search = new SearchCustomersRequest { Purpose = "zqx-purpose", OwnerParty = "zqx-owner", Prefecture = "zqx県", PageToken = "zqx-token" };
        search.Items.Add("contact");
        search.ModelCodes.Add("ZQX-1");
        await Refusals.FailsAsync(async () =>
        {
            using var stream = garage.SearchCustomers(search, cancellationToken: Ct);
            while (await stream.ResponseStream.MoveNext(Ct))
            {
            }
        });

        var metrics = await MetricsScrape.ReadAsync(hub.OperationsAddress!);
        Assert.Equal(3, metrics.Sum(Provisions, "outcome=refused"));
        Assert.DoesNotContain(Mark, metrics.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("山田", metrics.Text, StringComparison.Ordinal);
        Assert.NotEmpty(logs.Entries);
        Assert.All(logs.Entries, e =>
        {
            Assert.DoesNotContain(Mark, e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("山田", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("023-672-9999", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_provision_log_entrys_call_ID_leads_to_its_trace_through_policy_and_storage()
    {
        var spans = new List<Activity>();
        await using var hub = await TestHub.StartAsync(
            settings: new Dictionary<string, string?> { ["Exchange:Telemetry:Traces"] = "true" },
            configure: b => b.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        var garage = new Records.RecordsClient(hub.Channel(Garage));
        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);

        await garage.GetCustomerAsync(Get("after-sales", Garage, "C001", "contact"), cancellationToken: Ct);

        var entry = (await hub.ReadAllAsync()).Last();
        var call = await EventuallyAsync(() => spans.ToList().SingleOrDefault(s => (s.GetTagItem("exchange.call_id") as string) == entry.Fact.CallId));
        Assert.Equal(Garage, call.GetTagItem("exchange.caller"));
        var trace = spans.ToList().Where(s => s.TraceId == call.TraceId).Select(s => s.OperationName).ToList();
        Assert.Contains("policy.decide", trace);
        Assert.Contains("provision_log.record", trace);
    }

    // A hub with the operations port whose every log line down to the capture's level is captured.
    private static Task<TestHub> StartLoggingAsync(CapturedLogs logs) =>
        TestHub.StartAsync(settings: OperationsPort, configure: b =>
        {
            b.Logging.SetMinimumLevel(logs.Minimum);
            b.Logging.AddProvider(logs);
        });

    private static async Task<T> EventuallyAsync<T>(Func<T?> read)
        where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (read() is { } found)
            {
                return found;
            }

            await Task.Delay(50, Ct);
        }

        throw new Xunit.Sdk.XunitException("never appeared");
    }
}
