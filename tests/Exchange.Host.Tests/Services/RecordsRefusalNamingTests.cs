using Exchange.Contracts.V1;
using Exchange.Domain.Policy;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Issue 18, item 7: a refused write names the party that attempted it. The tests use references of
/// their own, so they share one hub.
/// </summary>
public sealed class RecordsRefusalNamingTests(SharedHub shared) : IClassFixture<SharedHub>
{
    private const string Garage = "garage-kaminoyama";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => shared.Hub;

    private Records.RecordsClient As(string party) => new(Hub.Channel(party));

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
