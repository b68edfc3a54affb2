using Exchange.Domain.Audit;
using Exchange.Domain.Provisions;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Reads the hub's audit log, with its provision log, straight from its database.</summary>
public static class AuditReader
{
    public static async Task<List<RecordedAuditEvent>> ReadAuditAsync(this TestHub hub)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<IHubAuditLog>().ListAsync(new AuditQuery(null, null, int.MaxValue, null), CancellationToken.None);
        return [.. events.OrderBy(e => e.Sequence)];
    }

    /// <summary>The provision-log entries and the audit events appended while <paramref name="action"/> ran, oldest first.</summary>
    public static async Task<(List<ProvisionFact> Entries, List<HubAuditEvent> Events)> TracesDuringAsync(this TestHub hub, Func<Task> action)
    {
        var before = (await hub.ReadAuditAsync()).Select(e => e.Sequence).DefaultIfEmpty(0).Max();
        var entries = await hub.EntriesDuringAsync(action);
        return (entries, [.. (await hub.ReadAuditAsync()).Where(e => e.Sequence > before).Select(e => e.Event)]);
    }
}
