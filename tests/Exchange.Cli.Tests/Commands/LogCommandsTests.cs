using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Exchange.Cli.Tests.Commands;

public sealed class LogCommandsTests : CliScenario
{
    [Fact]
    public async Task Log_verify_goes_on_from_the_checkpoint_the_last_verification_found_intact()
    {
        await AppendAsync(6);
        await new ProvisionLog.ProvisionLogClient(Hub.Channel("admin")).CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        var first = (await RunAsync("log", "verify")).Expect(0);
        await AppendAsync(3);

        var next = (await RunAsync("log", "verify", "-o", "json")).Expect(0);

        Assert.Equal(("yes", "the whole chain", "1 to 6"), (first.Field("intact"), first.Field("walked"), first.Field("entries")));
        using var json = JsonDocument.Parse(next.Out);
        var result = json.RootElement;
        Assert.Equal((true, false, "6", "9", "3"), (result.GetProperty("intact").GetBoolean(), result.GetProperty("full").GetBoolean(), result.GetProperty("fromSequence").GetString(), result.GetProperty("throughSequence").GetString(), result.GetProperty("entriesChecked").GetString()));
    }

    [Fact]
    public async Task Log_verify_full_walks_the_whole_chain()
    {
        await AppendAsync(6);
        await new ProvisionLog.ProvisionLogClient(Hub.Channel("admin")).CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        (await RunAsync("log", "verify")).Expect(0);

        var run = (await RunAsync("log", "verify", "--full")).Expect(0);

        Assert.Equal(("yes", "the whole chain", "6", "1"), (run.Field("intact"), run.Field("walked"), run.Field("entries checked"), run.Field("checkpoints checked")));
    }

    [Fact]
    public async Task Log_verify_full_resumes_by_itself_when_the_connection_drops()
    {
        await AppendAsync(10);
        var token = await ResumeTokenAtAsync(4);
        await using var proxy = new DroppingProxy(Hub.Address);

        var run = (await RunAsync("log", "verify", "--resume", token, "--hub", proxy.Address.ToString())).Expect(0);

        // The second connection is the CLI's resume, or the transport's own reconnect when the drop came before
        // the call was sent (seen once in CI): either way the walk ends whole from the token.
        Assert.Equal(2, proxy.Connections);
        Assert.Equal(("yes", "4 to 10", "10"), (run.Field("intact"), run.Field("entries"), run.Field("entries checked")));
    }

    [Fact]
    public async Task Log_verify_exits_with_7_when_the_log_was_altered()
    {
        await AppendAsync(4);
        await using (var database = new SqliteConnection($"Data Source={Path.Combine(Hub.Directory, "data", "exchange.db")}"))
        {
            await database.OpenAsync(Ct);
            await using var update = database.CreateCommand();
            update.CommandText = "UPDATE provision_log SET time = time + 1 WHERE sequence = 2";
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Ct));
        }

        var run = (await RunAsync("log", "verify")).Expect(ExitCodes.NotIntact);

        Assert.Equal(("NO", "2"), (run.Field("intact"), run.Field("first broken entry")));
    }

    [Fact]
    public async Task Log_verify_with_a_token_the_hub_did_not_issue_is_bad_usage()
    {
        var run = (await RunAsync("log", "verify", "--resume", "bm90LWEtdG9rZW4")).Expect(ExitCodes.Usage);

        Assert.Contains("INVALID_ARGUMENT", run.Error, StringComparison.Ordinal);
    }

    private async Task AppendAsync(int entries)
    {
        var batch = new PutCustomersRequest { Purpose = "after-sales" };
        batch.Records.AddRange(Enumerable.Range(0, entries).Select(_ => Sample.Customer($"L{Guid.NewGuid():N}"[..12])));
        await new Records.RecordsClient(Hub.Channel("garage-kaminoyama")).PutCustomersAsync(batch, cancellationToken: Ct);
    }

    private async Task<string> ResumeTokenAtAsync(long sequence)
    {
        using var call = new ProvisionLog.ProvisionLogClient(Hub.Channel("admin")).VerifyFull(new VerifyFullRequest { ProgressEveryEntries = (int)sequence }, cancellationToken: Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(sequence, call.ResponseStream.Current.Progress.ThroughSequence);
        return call.ResponseStream.Current.Progress.ResumeToken;
    }
}
