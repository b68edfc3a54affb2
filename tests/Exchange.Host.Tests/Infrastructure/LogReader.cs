using Exchange.Domain.Provisions;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Reads the hub's provision log straight from its database.</summary>
public static class LogReader
{
    public static async Task<List<ChainedProvision>> ReadAllAsync(this TestHub hub)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        var entries = new List<ChainedProvision>();
        await foreach (var entry in scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ReadAllAsync(CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>The entries appended while <paramref name="action"/> ran.</summary>
    public static async Task<List<ProvisionFact>> EntriesDuringAsync(this TestHub hub, Func<Task> action)
    {
        var before = (await hub.ReadAllAsync()).Count;
        await action();
        return (await hub.ReadAllAsync()).Skip(before).Select(e => e.Fact).ToList();
    }
}
