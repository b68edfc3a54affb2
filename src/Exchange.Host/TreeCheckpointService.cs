using Exchange.Domain.Provisions;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>
/// Signs a C2SP checkpoint of the provision log's Merkle tree each <c>Exchange:TreeCheckpointInterval</c>
/// when the log has grown. Every instance runs it; one checkpoint is stored per tree size.
/// </summary>
internal sealed class TreeCheckpointService(IServiceScopeFactory scopes, IOptions<HubOptions> options, TimeProvider time, ILogger<TreeCheckpointService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TreeCheckpointInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<ProvisionTree>().CheckpointAsync(stoppingToken).ConfigureAwait(false) is { } checkpoint)
                {
                    HostLog.TreeCheckpointSigned(logger, checkpoint.Size);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                HostLog.TreeCheckpointFailed(logger, e);
            }
        }
    }
}
