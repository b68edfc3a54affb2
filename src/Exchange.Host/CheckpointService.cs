using Exchange.Domain.Provisions;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>Signs a provision-log checkpoint at a fixed interval when the log has grown.</summary>
internal sealed class CheckpointService(IServiceScopeFactory scopes, IOptions<HubOptions> options, TimeProvider time, ILogger<CheckpointService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        long lastSigned = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var head = await scope.ServiceProvider.GetRequiredService<IProvisionLogStore>().HeadAsync(stoppingToken).ConfigureAwait(false);
                if (head is null || head.Sequence == lastSigned)
                {
                    continue;
                }

                var checkpoint = await scope.ServiceProvider.GetRequiredService<ProvisionLogAudit>().CheckpointAsync(stoppingToken).ConfigureAwait(false);
                lastSigned = checkpoint?.Sequence ?? lastSigned;
                HostLog.CheckpointSigned(logger, lastSigned);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                HostLog.CheckpointFailed(logger, e);
            }
        }
    }
}
