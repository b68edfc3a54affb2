using Exchange.Contracts.V1;
using Exchange.Domain.Policy;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Issue 18, items 6 and 7: every refusal of the Records and ProvisionLog services names its rule in
/// the status text and the <c>exchange-rule</c> trailer, and a refused write names the party that
/// attempted it. The tests use references of their own, so they share one hub.
/// </summary>
public sealed class RecordsRefusalNamingTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string Garage = "garage-kaminoyama";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub;

    private Records.RecordsClient As(string party) => new(Hub.Channel(party));

    [Theory]
    [InlineData("recall", StatusCode.FailedPrecondition, PolicyRules.OptOutNotAllowed)]
    [InlineData("resale", StatusCode.InvalidArgument, PolicyRules.PurposeUndeclared)]
    public async Task Opting_out_of_recall_or_of_an_undeclared_purpose_is_refused_naming_its_rule(string purpose, StatusCode code, string rule)
    {
        await As(Garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer($"opt-{purpose}") }, cancellationToken: Ct);

        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => As(Garage).SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = $"opt-{purpose}", Purpose = purpose, OptedOut = true }, cancellationToken: Ct).ResponseAsync));

        AssertNamesRule(error!, code, rule);
        Assert.Empty(entries);
    }

    public static TheoryData<string, StatusCode, string> OtherRefusals => new()
    {
        { "batch of 1001", StatusCode.InvalidArgument, PolicyRules.RequestTooLarge },
        { "search of 1001 model codes", StatusCode.InvalidArgument, PolicyRules.RequestTooLarge },
        { "search by a prefecture too long", StatusCode.InvalidArgument, PolicyRules.RequestMalformed },
        { "statistics without a dimension", StatusCode.InvalidArgument, PolicyRules.RequestMalformed },
        { "read naming no party", StatusCode.InvalidArgument, PolicyRules.RequestMalformed },
        { "opt-out of a malformed reference", StatusCode.InvalidArgument, PolicyRules.RequestMalformed },
        { "log of a malformed reference", StatusCode.InvalidArgument, PolicyRules.RequestMalformed },
    };

    [Theory]
    [MemberData(nameof(OtherRefusals))]
    public async Task Every_other_refusal_of_the_records_and_provision_log_services_names_its_rule(string refusal, StatusCode code, string rule)
    {
        var garage = As(Garage);
        var lotus = As("group-lotus");
        Func<Task> call = refusal switch
        {
            "batch of 1001" => () => garage.PutCustomersAsync(new PutCustomersRequest { Purpose = "after-sales", Records = { Enumerable.Range(0, 1001).Select(i => new CustomerRecord { CustomerRef = $"N{i}" }) } }, cancellationToken: Ct).ResponseAsync,
            "search of 1001 model codes" => () => ReadAllAsync(lotus.SearchCustomers(new SearchCustomersRequest { Purpose = "recall", Items = { "contact" }, ModelCodes = { Enumerable.Range(0, 1001).Select(i => $"M{i}") } }, cancellationToken: Ct)),
            "search by a prefecture too long" => () => ReadAllAsync(lotus.SearchCustomers(new SearchCustomersRequest { Purpose = "recall", Items = { "contact" }, Prefecture = new string('県', 33) }, cancellationToken: Ct)),
            "statistics without a dimension" => () => lotus.QueryStatisticsAsync(new StatisticsRequest { Purpose = "statistics" }, cancellationToken: Ct).ResponseAsync,
            "read naming no party" => () => lotus.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", CustomerRef = "C1", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync,
            "opt-out of a malformed reference" => () => garage.SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = " C1", Purpose = "marketing", OptedOut = true }, cancellationToken: Ct).ResponseAsync,
            _ => () => new ProvisionLog.ProvisionLogClient(Hub.Channel(Garage)).ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = Garage, CustomerRef = "C1 " }, cancellationToken: Ct).ResponseAsync,
        };

        AssertNamesRule(await Refusals.FailsAsync(call), code, rule);
    }

    [Theory]
    [InlineData("garage-refusal-other")]
    [InlineData("group-lotus")]
    public async Task A_refused_attempt_to_write_another_garages_customer_is_recorded_under_the_party_that_made_it(string intruder)
    {
        var customerRef = $"own-{intruder}";
        var owned = await As(Garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct);
        var records = intruder.StartsWith("garage-", StringComparison.Ordinal) ? await NewGarageAsync(intruder) : As(intruder);
        var overwrite = Sample.Customer(customerRef);
        overwrite.OwnerParty = Garage;
        overwrite.Contact.Phone = "090-0000-0000";

        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = overwrite }, cancellationToken: Ct).ResponseAsync));

        AssertNamesRule(error!, StatusCode.PermissionDenied, PolicyRules.OwnRecordsOnly);
        var entry = Assert.Single(entries);
        Assert.Equal(
            (ProvisionOutcome.Refused, intruder, "hub", null, owned.SubjectId, "after-sales", PolicyRules.OwnRecordsOnly),
            (entry.Outcome, entry.Provider, entry.Recipient, entry.Agent, entry.SubjectId, entry.Purpose, entry.Rule));
        var kept = await As(Garage).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = customerRef, Items = { "contact" } }, cancellationToken: Ct);
        Assert.Equal("023-672-0000", kept.Record.Contact.Phone);
    }

    private static void AssertNamesRule(RpcException error, StatusCode code, string rule)
    {
        Assert.Equal(code, error.StatusCode);
        Assert.Contains($"rule {rule})", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(rule, error.Trailers.GetValue("exchange-rule"));
    }

    private static async Task ReadAllAsync(AsyncServerStreamingCall<SearchCustomersResponse> call)
    {
        using (call)
        {
            await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
        }
    }

    /// <summary>Registers a member garage and issues it a certificate as an administrator would; a client calling as it.</summary>
    private async Task<Records.RecordsClient> NewGarageAsync(string partyId)
    {
        using var admin = Hub.Channel("admin");
        await admin.AddPartyAsync(partyId);
        // The key stays with the certificate the client presents for the rest of the class.
        var keys = new PartnerKeys(partyId);
        var issued = await admin.IssueAsync(partyId, keys);
        return new Records.RecordsClient(Hub.Channel(keys.Certificate(issued.CertificatePem)));
    }
}
