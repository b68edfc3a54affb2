using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests;

public sealed class CheckpointServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hub_signs_a_checkpoint_each_interval_once_the_log_has_grown()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = await TestHub.StartAsync(time);
        await new Records.RecordsClient(hub.Channel("garage-kaminoyama")).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C001") }, cancellationToken: Ct);

        time.Advance(TimeSpan.FromHours(1));
        var checkpoints = await WaitForCheckpointsAsync(hub, 1);

        var only = Assert.Single(checkpoints);
        Assert.Equal(1, only.Sequence);
        Assert.True(hub.Services.GetRequiredService<ILogSigner>().Verify(ProvisionChain.CheckpointPayload(only.Sequence, only.EntryHash, only.SignedAt), only.Signature));

        // Nothing new in the log: the next tick signs nothing.
        time.Advance(TimeSpan.FromHours(1));
        await Task.Delay(200, Ct);
        Assert.Single(await ListAsync(hub));
    }

    private static async Task<IReadOnlyList<ProvisionCheckpoint>> WaitForCheckpointsAsync(TestHub hub, int count)
    {
        for (var i = 0; i < 100; i++)
        {
            var found = await ListAsync(hub);
            if (found.Count >= count)
            {
                return found;
            }

            await Task.Delay(50, Ct);
        }

        return await ListAsync(hub);
    }

    private static async Task<IReadOnlyList<ProvisionCheckpoint>> ListAsync(TestHub hub)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().ListCheckpointsAsync(Ct);
    }
}
