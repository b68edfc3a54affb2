using System.Net;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Exchange.Storage.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// The hub's PostgreSQL database refusing every connection for a while (its connections ended, new
/// ones refused): calls get UNAVAILABLE, health says so, and the hub serves again by itself once the
/// database is back, without a restart.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Calls_get_unavailable_while_the_database_is_unreachable_and_the_hub_recovers_by_itself()
    {
        await using var hub = await TestHub.StartAsync(provider: DatabaseProvider.Postgres, settings: new Dictionary<string, string?> { ["Exchange:Operations:Port"] = "0" });
        using var probe = new HttpClient { BaseAddress = hub.OperationsAddress };
        hub.ExpectError(_ => true); // the outage is logged as errors (the log writer's commits, the handshake check); what matters is what callers get
        var database = new NpgsqlConnectionStringBuilder(hub.PostgresConnectionString).Database!;
        using var garage = hub.Channel("garage-kaminoyama");
        var records = new Records.RecordsClient(garage);
        var read = new GetCustomerRequest { Purpose = "after-sales", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } };
        await records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);
        await records.GetCustomerAsync(read, cancellationToken: Ct);
        var health = hub.Services.GetRequiredService<HealthCheckService>();

        await ServerAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
        await ServerAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");

        var during = await Refusals.FailsAsync(() => records.GetCustomerAsync(read, cancellationToken: Ct).ResponseAsync);
        var write = await Refusals.FailsAsync(() => records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C002") }, cancellationToken: Ct).ResponseAsync);
        var report = await health.CheckHealthAsync(Ct);

        Assert.Equal(StatusCode.Unavailable, during.StatusCode);
        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["database"].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/healthz/ready", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz/live", Ct)).StatusCode);

        await ServerAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS true");

        // The pool may hand out one connection the outage broke; the hub needs no restart.
        var recovered = await EventuallyAsync(() => records.GetCustomerAsync(read, cancellationToken: Ct).ResponseAsync);
        Assert.Equal("C001", recovered.Record.CustomerRef);
        await records.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C002") }, cancellationToken: Ct);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(Ct)).Entries["database"].Status);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz/ready", Ct)).StatusCode);
        var verified = await new ProvisionLog.ProvisionLogClient(hub.Channel("admin")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(verified.Intact, verified.Problem);
    }

    private static async Task ServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresTestDatabase.Server) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        for (var tries = 0; ; tries++)
        {
            try
            {
                return await attempt();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && tries < 20)
            {
                await Task.Delay(100, Ct);
            }
        }
    }
}
