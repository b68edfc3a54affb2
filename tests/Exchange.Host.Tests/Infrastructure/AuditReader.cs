using Exchange.Domain.Audit;
using Exchange.Domain.Provisions;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Reads the hub's audit log straight from its database, and what a step left in both logs.</summary>
public static class AuditReader
{
    /// <summary>Every audit event, oldest first.</summary>
    public static async Task<List<HubAuditEvent>> ReadAuditAsync(this TestHub hub)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<IHubAuditLog>().ListAsync(new AuditQuery(null, null, HubAuditTrail.MaxLimit, null), CancellationToken.None);
        return events.OrderBy(e => e.Sequence).Select(e => e.Event).ToList();
    }

    /// <summary>The provision-log entries and audit events appended while <paramref name="action"/> ran.</summary>
    public static async Task<(List<ProvisionFact> Provisions, List<HubAuditEvent> Audit)> TracesDuringAsync(this TestHub hub, Func<Task> action)
    {
        var audit = (await hub.ReadAuditAsync()).Count;
        var provisions = await hub.EntriesDuringAsync(action);
        return (provisions, (await hub.ReadAuditAsync()).Skip(audit).ToList());
    }
}
