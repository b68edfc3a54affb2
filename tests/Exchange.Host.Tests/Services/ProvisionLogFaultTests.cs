using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;

namespace Exchange.Host.Tests.Services;

/// <summary>The database refusing the lookup by person for a while: nothing is lost, and the hub says it is degraded meanwhile.</summary>
public sealed class ProvisionLogFaultTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _hub = await TestHub.StartAsync();

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task While_the_lookup_by_person_cannot_be_filled_the_hub_is_degraded_and_a_persons_record_is_still_whole()
    {
        var checks = _hub.Services.GetRequiredService<HealthCheckService>();
        var log = new ProvisionLog.ProvisionLogClient(_hub.Channel("admin"));
        var customer = new ListForCustomerRequest { OwnerParty = "garage-kaminoyama", CustomerRef = "C001" };
        await ExecuteSqlAsync("CREATE TRIGGER refuse_indexing BEFORE INSERT ON provision_log_subjects BEGIN SELECT RAISE(ABORT, 'indexing refused by the test'); END");
        await new Records.RecordsClient(_hub.Channel("garage-kaminoyama")).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);

        // The indexer runs each second.
        var degraded = await UntilAsync(() => checks.CheckHealthAsync(Ct), r => r.Entries["provision-log"].Status == HealthStatus.Degraded);
        Assert.Equal(HealthStatus.Degraded, degraded.Entries["provision-log"].Status);
        Assert.Contains("indexing the provision log by person has failed", degraded.Entries["provision-log"].Description, StringComparison.Ordinal);
        Assert.Equal(ProvisionOutcome.Received, Assert.Single((await log.ListForCustomerAsync(customer, cancellationToken: Ct)).Entries).Outcome);

        await ExecuteSqlAsync("DROP TRIGGER refuse_indexing");

        var healthy = await UntilAsync(() => checks.CheckHealthAsync(Ct), r => r.Entries["provision-log"].Status == HealthStatus.Healthy);
        Assert.Equal(HealthStatus.Healthy, healthy.Entries["provision-log"].Status);
        Assert.Equal(ProvisionOutcome.Received, Assert.Single((await log.ListForCustomerAsync(customer, cancellationToken: Ct)).Entries).Outcome);
        Assert.True((await log.VerifyAsync(new VerifyRequest(), cancellationToken: Ct)).Intact);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> attempt, Func<T, bool> done)
    {
        for (var tries = 0; ; tries++)
        {
            var result = await attempt();
            if (done(result) || tries == 50)
            {
                return result;
            }

            await Task.Delay(200, Ct);
        }
    }

    private async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_hub.Directory, "data", "exchange.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
