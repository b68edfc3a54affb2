using Exchange.Storage;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>The hub's database, reached as an intruder with database access would: behind the hub's back, on either provider.</summary>
public static class HubDatabase
{
    /// <summary>Runs <paramref name="sql"/> (parameters as <c>{0}</c>, <c>{1}</c>...) on <paramref name="hub"/>'s database; returns the rows changed.</summary>
    public static async Task<int> ExecuteSqlAsync(this TestHub hub, string sql, params object[] parameters)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.ExecuteSqlRawAsync(sql, parameters, TestContext.Current.CancellationToken);
    }
}
