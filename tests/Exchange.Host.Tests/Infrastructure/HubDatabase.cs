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

    /// <summary>
    /// Points provision-log entry <paramref name="sequence"/> at a copy of its terms with <paramref name="change"/>
    /// (an SQL assignment, e.g. <c>purpose = 'recall'</c>) made, as one altering that entry alone would.
    /// </summary>
    public static async Task RestateEntryAsync(this TestHub hub, long sequence, string change)
    {
        const string Columns = "provider, recipient, agent, items, purpose, declaration_version, declaration_hash, outcome, rule";
        var marker = new byte[] { 0 };
        await hub.ExecuteSqlAsync($"DELETE FROM provision_log_terms WHERE digest = {{0}}", marker);
        Assert.True(await hub.ExecuteSqlAsync($"INSERT INTO provision_log_terms (digest, {Columns}) SELECT {{0}}, {Columns} FROM provision_log_terms WHERE id = (SELECT terms_id FROM provision_log WHERE sequence = {sequence})", marker) > 0, $"entry {sequence} has no terms");
        await hub.ExecuteSqlAsync($"UPDATE provision_log_terms SET {change} WHERE digest = {{0}}", marker);
        Assert.True(await hub.ExecuteSqlAsync($"UPDATE provision_log SET terms_id = (SELECT id FROM provision_log_terms WHERE digest = {{0}}) WHERE sequence = {sequence}", marker) > 0, $"no entry {sequence}");
    }
}
