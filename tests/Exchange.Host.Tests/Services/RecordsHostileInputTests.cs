using Exchange.Contracts.V1;
using Exchange.Domain.Policy;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// What a careless or hostile partner sends as purposes, items and references: refused precisely,
/// recorded without the caller's text, and never able to break the provision log's verification.
/// </summary>
public abstract class RecordsHostileInputTests(SharedHub shared)
{
    private const string Garage = "garage-kaminoyama";
    private const string Broadleaf = "vendor-broadleaf";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub ?? SkipHub();

    private static TestHub SkipHub()
    {
        Storage.Tests.Infrastructure.PostgresTestDatabase.SkipUnlessAvailable();
        throw new InvalidOperationException("the shared hub did not start");
    }

    private Records.RecordsClient As(string party) => new(Hub.Channel(party));

    private static GetCustomerRequest Get(string purpose, string customerRef, params string[] items)
    {
        var request = new GetCustomerRequest { Purpose = purpose, OwnerParty = Garage, CustomerRef = customerRef };
        request.Items.AddRange(items);
        return request;
    }

    [Theory]
    [InlineData(Garage, "after-sales", "contact.name bogus")]
    [InlineData(Garage, "after-sales", "", "contact.name")]
    [InlineData(Broadleaf, "after-sales", "contact.name", "CONTACT.NAME")]
    [InlineData(Garage, "Marketing", "contact.name")]
    [InlineData(Garage, "after sales", "contact.name")]
    public async Task A_malformed_purpose_or_item_is_refused_recorded_without_its_text_and_the_log_still_verifies(string party, string purpose, params string[] items)
    {
        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => As(party).GetCustomerAsync(Get(purpose, "c-hostile", items), cancellationToken: Ct).ResponseAsync));

        Assert.Equal(StatusCode.InvalidArgument, error!.StatusCode);
        Assert.Equal(PolicyRules.RequestMalformed, error.Trailers.GetValue("exchange-rule"));
        var entry = Assert.Single(entries);
        Assert.Equal((Exchange.Contracts.V1.ProvisionOutcome.Refused, "", PolicyRules.RequestMalformed), (entry.Outcome, entry.Purpose, entry.Rule));
        Assert.Empty(entry.Items);
        await AssertLogVerifiesAsync();
    }

    [Fact]
    public async Task A_well_formed_but_undeclared_item_is_refused_by_its_rule_recorded_as_named_and_the_log_still_verifies()
    {
        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => As(Garage).GetCustomerAsync(Get("after-sales", "c-hostile", "contact.name", "contact.blood_type"), cancellationToken: Ct).ResponseAsync));

        Assert.Equal((StatusCode.PermissionDenied, PolicyRules.ItemUndeclared), (error!.StatusCode, error.Trailers.GetValue("exchange-rule")));
        Assert.Equal(["contact.blood_type", "contact.name"], Assert.Single(entries).Items);
        await AssertLogVerifiesAsync();
    }

    [Fact]
    public async Task Item_lists_of_megabytes_grow_the_log_by_one_small_entry_and_are_not_echoed()
    {
        var request = Get("after-sales", "c-hostile");
        request.Items.AddRange(Enumerable.Range(0, 1000).Select(i => $"contact.{new string('x', 3800)}{i}"));

        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => As(Garage).GetCustomerAsync(request, cancellationToken: Ct).ResponseAsync));

        Assert.Equal(StatusCode.InvalidArgument, error!.StatusCode);
        Assert.True(error.Status.Detail.Length < 200, error.Status.Detail);
        Assert.Empty(Assert.Single(entries).Items);
        await AssertLogVerifiesAsync();
    }

    [Theory]
    [InlineData("c\u0301-1", "customer_ref is not in Unicode normalisation form C (NFC)")]
    [InlineData(" c-1", "customer_ref begins or ends with white space")]
    [InlineData("c-1\u3000", "customer_ref begins or ends with white space")]
    [InlineData("ref-\uE000", "customer_ref holds the character U+E000 (a private-use character), which is not accepted")]
    [InlineData("r-12345678901234567890123456789012345678901234567890123456789012345", "customer_ref is longer than 64 characters")]
    public async Task A_reference_that_is_not_valid_is_refused_and_nothing_is_stored(string customerRef, string reason)
    {
        var garage = As(Garage);

        var write = await Refusals.FailsAsync(() => garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct).ResponseAsync);
        var read = await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get("after-sales", customerRef, "contact"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (write.StatusCode, read.StatusCode));
        Assert.Contains(reason, write.Status.Detail, StringComparison.Ordinal);
        Assert.Equal($"{reason} (rule {PolicyRules.RequestMalformed})", read.Status.Detail);
        await AssertLogVerifiesAsync();
    }

    [Theory]
    [InlineData("顧客-0001")]
    [InlineData("ｶﾅ-1")]
    [InlineData("c 1")]
    public async Task A_valid_reference_is_stored_and_read_back_exactly_under_one_subject(string customerRef)
    {
        var garage = As(Garage);

        var put = await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct);
        var read = await garage.GetCustomerAsync(Get("after-sales", customerRef, "contact"), cancellationToken: Ct);
        var log = await new ProvisionLog.ProvisionLogClient(Hub.Channel(Garage)).ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = Garage, CustomerRef = customerRef }, cancellationToken: Ct);

        Assert.Equal(customerRef, read.Record.CustomerRef);
        Assert.All(log.Entries, e => Assert.Equal(put.SubjectId, e.SubjectId));
        Assert.Equal(2, log.Entries.Count);
        await AssertLogVerifiesAsync();
    }

    [Theory]
    [InlineData("note", "主治医によると糖尿病", "sensitive personal data (medical: '糖尿病')")]
    [InlineData("note", "車椅子で来店、送迎希望", "sensitive personal data (disability: '車椅子')")]
    [InlineData("image", "%PDF-1.7 診断書", "an image is not a JPEG, PNG or WebP picture")]
    public async Task A_write_carrying_sensitive_text_or_a_document_as_an_image_is_refused_recorded_and_stores_nothing(string where, string content, string reason)
    {
        var record = Sample.Customer("c-sensitive-" + where);
        if (where == "note")
        {
            record.Repairs[0].Work[0].Description = content;
        }
        else
        {
            record.Vehicles[0].Images.Add(new VehicleImage { ContentType = "image/jpeg", Data = Google.Protobuf.ByteString.CopyFromUtf8(content) });
        }

        var error = default(RpcException);
        var (entries, events) = await Hub.TracesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => As(Garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = record }, cancellationToken: Ct).ResponseAsync));

        Assert.Equal(StatusCode.InvalidArgument, error!.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(PolicyRules.RecordRefused, Assert.Single(entries).Rule);
        Assert.Empty(events);
        var read = await Refusals.FailsAsync(() => As(Garage).GetCustomerAsync(Get("after-sales", record.CustomerRef, "contact"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
    }

    private async Task AssertLogVerifiesAsync()
    {
        var verified = await new ProvisionLog.ProvisionLogClient(Hub.Channel("admin")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(verified.Intact, verified.Problem);
    }
}

/// <summary>Hostile input on SQLite.</summary>
public sealed class RecordsHostileInputOnSqliteTests(SharedHub shared) : RecordsHostileInputTests(shared), IClassFixture<SharedHub>;

/// <summary>Hostile input on PostgreSQL.</summary>
public sealed class RecordsHostileInputOnPostgresTests(SharedPostgresHub shared) : RecordsHostileInputTests(shared), IClassFixture<SharedPostgresHub>;
