using Exchange.Contracts.V1;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// The grant an administrator sets for the group body to receive owners' contact data for recall,
/// which the defaults no longer give it (it gets counts), for tests of searches by that purpose.
/// </summary>
public static class GroupBodyRecallGrant
{
    public static async Task<TestHub> AllowGroupBodyRecallAsync(this TestHub hub)
    {
        using var admin = hub.Channel("admin");
        await new Grants.GrantsClient(admin).SetGrantAsync(
            new Grant { Role = "group-body", Purpose = "recall", Items = { "contact.name", "contact.address", "contact.phone", "contact.email", "vehicle.inspection_certificate" } },
            cancellationToken: TestContext.Current.CancellationToken);
        return hub;
    }
}
