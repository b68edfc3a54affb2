using Exchange.Domain.Subjects;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>
/// On every instance, at start and then at each interval: each partner that has left a
/// correction, deletion or cessation unacknowledged for <c>Exchange:Subjects:ReminderAfter</c> is
/// sent a reminder through its feed, and again each time that long passes.
/// </summary>
internal sealed class SubjectReminders(IServiceScopeFactory scopes, IOptions<HubOptions> options, TimeProvider time, ILogger<SubjectReminders> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Subjects.ReminderCheckInterval, time);
        // A round once begun is finished, not cancelled (as FeedMaintenance's).
        do
        {
            await RemindAsync(CancellationToken.None).ConfigureAwait(false);
        }
        while (!stoppingToken.IsCancellationRequested && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task RemindAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var sent = await scope.ServiceProvider.GetRequiredService<SubjectRequests>().RemindAsync(cancellationToken).ConfigureAwait(false);
            if (sent > 0)
            {
                SubjectsLog.Reminded(logger, sent);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SubjectsLog.RemindFailed(logger, e);
        }
    }
}
