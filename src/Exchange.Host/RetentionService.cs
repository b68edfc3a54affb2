using Exchange.Domain.Oversight;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>
/// Runs the disposal of personal data past its retention period on every instance, after a first
/// interval and then at each (<c>Exchange:Retention:RunInterval</c>). Runs on several instances
/// overlap harmlessly: each deletes only what is still there, in short transactions.
/// </summary>
internal sealed class RetentionService(IServiceScopeFactory scopes, IOptions<HubOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Retention.RunInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var run = await scope.ServiceProvider.GetRequiredService<RetentionRuns>().RunAsync(null, dryRun: false, stoppingToken).ConfigureAwait(false);
                if (run.Disposed.Any(d => d.Count > 0))
                {
                    Ran(logger, run);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                OversightLog.RetentionFailed(logger, e);
            }
        }
    }

    public static void Ran(ILogger logger, Contracts.V1.RetentionRun run) =>
        OversightLog.RetentionRan(logger, run.Id, run.RunBy, run.DryRun ? " (dry run)" : "", string.Join(", ", run.Disposed.Select(d => $"{d.Kind} {d.Count}")));
}
