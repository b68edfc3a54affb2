using Exchange.Contracts.V1;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Issue 18, item 1: a suspended garage's customers are provided for recall only, a withdrawn
/// garage's for no purpose, in single reads, searches and statistics alike, each refusal on record
/// under its own rule. Each test changes parties' states, so each has a hub of its own.
/// </summary>
public sealed class RecordsOwnerStandingTests : HubScenario
{
    private const string Active = "garage-kaminoyama";
    private const string Suspended = "garage-zao";
    private const string Withdrawn = "garage-yamagata";
    private const string Lotus = "group-lotus";

    // Reading for recall as the group body takes a grant an administrator sets: the defaults give it counts only.
    protected override async Task<TestHub> StartHubAsync() => await (await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:StatisticsK"] = "2" })).AllowGroupBodyRecallAsync();

    [Fact]
    public async Task Group_body_searching_over_an_active_a_suspended_and_a_withdrawn_garage_gets_the_active_ones_customers_and_the_suspended_ones_only_for_recall()
    {
        var subjects = await ThreeGaragesAsync();
        var lotus = new Records.RecordsClient(Channel(Lotus));

        var marketing = new List<string>();
        var marketingEntries = await Hub.EntriesDuringAsync(async () => marketing.AddRange(await SearchAsync(lotus, "marketing", "contact")));

        Assert.Equal(["A1", "A2"], marketing);
        Assert.Equal(
            [
                Provided(Active, subjects["A1"], "marketing"),
                Provided(Active, subjects["A2"], "marketing"),
                Refused(Suspended, subjects["S1"], "marketing", PolicyRules.OwnerSuspended),
                Refused(Suspended, subjects["S2"], "marketing", PolicyRules.OwnerSuspended),
                Refused(Withdrawn, subjects["W1"], "marketing", PolicyRules.OwnerWithdrawn),
            ],
            marketingEntries.Select(Summary));
        Assert.Single(marketingEntries.Select(e => e.CallId).Distinct());
        Assert.All(marketingEntries.Where(e => e.Outcome == ProvisionOutcome.Refused), e => Assert.Equal(["contact"], e.Items));

        var recall = new List<string>();
        var recallEntries = await Hub.EntriesDuringAsync(async () => recall.AddRange(await SearchAsync(lotus, "recall", "contact", "vehicle")));

        Assert.Equal(["A1", "A2", "S1", "S2"], recall);
        Assert.Equal(
            [
                Provided(Active, subjects["A1"], "recall"),
                Provided(Active, subjects["A2"], "recall"),
                Provided(Suspended, subjects["S1"], "recall"),
                Provided(Suspended, subjects["S2"], "recall"),
                Refused(Withdrawn, subjects["W1"], "recall", PolicyRules.OwnerWithdrawn),
            ],
            recallEntries.Select(Summary));
    }

    [Fact]
    public async Task Search_naming_a_suspended_garage_for_marketing_is_refused_as_a_whole_under_its_rule()
    {
        await ThreeGaragesAsync();
        var request = new SearchCustomersRequest { Purpose = "marketing", OwnerParty = Suspended, Items = { "contact" } };

        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
        {
            using var call = new Records.RecordsClient(Channel(Lotus)).SearchCustomers(request, cancellationToken: Ct);
            error = await Refusals.FailsAsync(() => call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct).AsTask());
        });

        AssertRefusal(error!, StatusCode.PermissionDenied, PolicyRules.OwnerSuspended);
        Assert.Equal([Refused(Suspended, null, "marketing", PolicyRules.OwnerSuspended)], entries.Select(Summary));
    }

    [Fact]
    public async Task Single_reads_of_a_suspended_garages_customer_are_provided_for_recall_only_and_of_a_withdrawn_garages_for_no_purpose()
    {
        var subjects = await ThreeGaragesAsync();
        var lotus = new Records.RecordsClient(Channel(Lotus));

        foreach (var (owner, customerRef, purpose, rule) in new[]
        {
            (Suspended, "S1", "marketing", PolicyRules.OwnerSuspended),
            (Withdrawn, "W1", "marketing", PolicyRules.OwnerWithdrawn),
            (Withdrawn, "W1", "recall", PolicyRules.OwnerWithdrawn),
        })
        {
            var error = default(RpcException);
            var refused = await Hub.EntriesDuringAsync(async () =>
                error = await Refusals.FailsAsync(() => lotus.GetCustomerAsync(Get(owner, customerRef, purpose), cancellationToken: Ct).ResponseAsync));

            AssertRefusal(error!, StatusCode.PermissionDenied, rule);
            Assert.Equal([Refused(owner, subjects[customerRef], purpose, rule)], refused.Select(Summary));
        }

        GetCustomerResponse? read = null;
        var provided = await Hub.EntriesDuringAsync(async () => read = await lotus.GetCustomerAsync(Get(Suspended, "S1", "recall"), cancellationToken: Ct));

        Assert.Equal("山田 太郎 S1", read!.Record.Contact.Name);
        Assert.Equal([Provided(Suspended, subjects["S1"], "recall")], provided.Select(Summary));
    }

    [Fact]
    public async Task Reading_a_person_a_withdrawn_garage_never_held_is_refused_as_any_of_its_customers_is()
    {
        await ThreeGaragesAsync();

        var error = default(RpcException);
        var entries = await Hub.EntriesDuringAsync(async () =>
            error = await Refusals.FailsAsync(() => new Records.RecordsClient(Channel(Lotus)).GetCustomerAsync(Get(Withdrawn, "nobody", "marketing"), cancellationToken: Ct).ResponseAsync));

        AssertRefusal(error!, StatusCode.PermissionDenied, PolicyRules.OwnerWithdrawn);
        Assert.Equal(PolicyRules.OwnerWithdrawn, Assert.Single(entries).Rule);
    }

    [Fact]
    public async Task Statistics_aggregate_only_active_garages_customers_and_refuse_a_suspended_or_withdrawn_garage_named_in_the_query()
    {
        await ThreeGaragesAsync();
        var lotus = new Records.RecordsClient(Channel(Lotus));

        StatisticsResponse? stats = null;
        var entries = await Hub.EntriesDuringAsync(async () =>
            stats = await lotus.QueryStatisticsAsync(new StatisticsRequest { Purpose = "statistics", GroupBy = StatisticsDimension.OwnerParty }, cancellationToken: Ct));

        Assert.Equal([(Active, 2L)], stats!.Groups.Select(g => (g.Key, g.Persons)));
        Assert.Equal(2, stats.TotalPersons);
        Assert.Equal([(ProvisionOutcome.Provided, "*", Lotus, (string?)null)], entries.Select(e => (e.Outcome, e.Provider, e.Recipient, e.Rule)));

        foreach (var (owner, rule) in new[] { (Suspended, PolicyRules.OwnerSuspended), (Withdrawn, PolicyRules.OwnerWithdrawn) })
        {
            var error = default(RpcException);
            var refused = await Hub.EntriesDuringAsync(async () =>
                error = await Refusals.FailsAsync(() => lotus.QueryStatisticsAsync(new StatisticsRequest { Purpose = "statistics", GroupBy = StatisticsDimension.ModelCode, OwnerParty = owner }, cancellationToken: Ct).ResponseAsync));

            AssertRefusal(error!, StatusCode.PermissionDenied, rule);
            Assert.Equal([(ProvisionOutcome.Refused, owner, Lotus, rule)], refused.Select(e => (e.Outcome, e.Provider, e.Recipient, e.Rule)));
        }
    }

    [Fact]
    public async Task A_suspension_made_through_another_hub_instance_applies_to_the_next_read_here_and_so_does_the_reactivation()
    {
        var subjects = await ThreeGaragesAsync();
        await using var second = await TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Path.Combine(Hub.Directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = Hub.CertificateDirectory,
        });
        var partnersOnSecond = new Partners.PartnersClient(Track(second.Channel(Certificate("admin"))));
        var lotus = new Records.RecordsClient(Channel(Lotus));
        await lotus.GetCustomerAsync(Get(Active, "A1", "marketing"), cancellationToken: Ct);

        await partnersOnSecond.SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Active, Reason = "audit" }, cancellationToken: Ct);
        var error = await Refusals.FailsAsync(() => lotus.GetCustomerAsync(Get(Active, "A1", "marketing"), cancellationToken: Ct).ResponseAsync);
        AssertRefusal(error, StatusCode.PermissionDenied, PolicyRules.OwnerSuspended);

        await partnersOnSecond.ReactivatePartyAsync(new ChangePartyStateRequest { PartyId = Active }, cancellationToken: Ct);
        var entries = await Hub.EntriesDuringAsync(() => lotus.GetCustomerAsync(Get(Active, "A1", "marketing"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal([Provided(Active, subjects["A1"], "marketing")], entries.Select(Summary));
    }

    [Fact]
    public async Task A_suspended_callers_refusal_names_its_rule_in_the_trailer_too()
    {
        var garage = new Records.RecordsClient(Channel(Active));
        await new Partners.PartnersClient(Channel("admin")).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Active }, cancellationToken: Ct);

        var error = await Refusals.FailsAsync(() => garage.GetCustomerAsync(Get(Active, "A1", "after-sales"), cancellationToken: Ct).ResponseAsync);

        AssertRefusal(error, StatusCode.PermissionDenied, PolicyRules.PartyInactive);
    }

    private static (ProvisionOutcome, string, string, string?, string?, string, string?) Summary(ProvisionFact e) =>
        (e.Outcome, e.Provider, e.Recipient, e.Agent, e.SubjectId, e.Purpose, e.Rule);

    private static (ProvisionOutcome, string, string, string?, string?, string, string?) Provided(string owner, string subject, string purpose) =>
        (ProvisionOutcome.Provided, owner, Lotus, null, subject, purpose, null);

    private static (ProvisionOutcome, string, string, string?, string?, string, string?) Refused(string owner, string? subject, string purpose, string rule) =>
        (ProvisionOutcome.Refused, owner, Lotus, null, subject, purpose, rule);

    private static void AssertRefusal(RpcException error, StatusCode code, string rule)
    {
        Assert.Equal(code, error.StatusCode);
        Assert.Contains($"(rule {rule})", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(rule, error.Trailers.GetValue("exchange-rule"));
    }

    private static GetCustomerRequest Get(string owner, string customerRef, string purpose) =>
        new() { Purpose = purpose, OwnerParty = owner, CustomerRef = customerRef, Items = { "contact" } };

    private static async Task<List<string>> SearchAsync(Records.RecordsClient client, string purpose, params string[] items)
    {
        var request = new SearchCustomersRequest { Purpose = purpose, ModelCodes = { "DAA-ZVW30" } };
        request.Items.AddRange(items);
        using var call = client.SearchCustomers(request, cancellationToken: Ct);
        return (await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct)).Select(r => r.Record.CustomerRef).ToList();
    }

    /// <summary>
    /// Customers A1 and A2 of the development garage (active), S1 and S2 of a garage then suspended,
    /// W1 of a garage then withdrawn, each written by its own garage over its own certificate; their subject IDs.
    /// </summary>
    private async Task<Dictionary<string, string>> ThreeGaragesAsync()
    {
        var subjects = new Dictionary<string, string>();
        async Task WriteAsync(Records.RecordsClient garage, params string[] refs)
        {
            foreach (var customerRef in refs)
            {
                subjects[customerRef] = (await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customerRef) }, cancellationToken: Ct)).SubjectId;
            }
        }

        await WriteAsync(new Records.RecordsClient(Channel(Active)), "A1", "A2");
        await WriteAsync(new Records.RecordsClient(await NewGarageChannelAsync(Suspended)), "S1", "S2");
        await WriteAsync(new Records.RecordsClient(await NewGarageChannelAsync(Withdrawn)), "W1");
        var partners = new Partners.PartnersClient(Channel("admin"));
        await partners.SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Suspended, Reason = "unpaid fees" }, cancellationToken: Ct);
        await partners.WithdrawPartyAsync(new ChangePartyStateRequest { PartyId = Withdrawn, Reason = "closed the business" }, cancellationToken: Ct);
        return subjects;
    }
}
